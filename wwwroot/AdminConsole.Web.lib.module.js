// Blazor JS initializer (blazor.web.js loads it by this file's name).
export function afterWebStarted(blazor) {
    // "edited": the first input into a field since its value was last committed (its change event),
    // without the field's text. A large field (a Sieve script of up to 64 KiB) commits once, on
    // change, instead of sending its whole text per keystroke, and the page still learns at the first
    // keystroke that the last save's result no longer describes what the form holds. Clicking Save
    // blurs the field, so its change (and the reset here) comes before the click.
    document.addEventListener('input', e => {
        const field = e.target;
        if (field._editedSent) return;
        field._editedSent = true;
        field.dispatchEvent(new Event('edited', { bubbles: true }));
    }, true);
    document.addEventListener('change', e => { e.target._editedSent = false; }, true);
    blazor.registerCustomEventType('edited', { createEventArgs: () => ({}) });

    // Code editors (Components/Forms/CodeEditor.razor): line numbers that follow the text as it is
    // typed and scrolled, and the lines the server refused marked. Blazor renders the gutter empty
    // and only changes its data attributes, so the lines painted here are never in its way.
    const paint = area => {
        const gutter = area.previousElementSibling;
        if (!gutter || !gutter.classList.contains('code-editor-gutter')) return;
        const lines = area.value.split('\n').length;
        const key = lines + '|' + (gutter.dataset.errorLines || '');
        if (gutter._painted !== key) {
            gutter._painted = key;
            const errors = new Set((gutter.dataset.errorLines || '').split(',').filter(Boolean).map(Number));
            let html = '';
            for (let n = 1; n <= lines; n++) html += errors.has(n) ? `<div class="code-editor-line-error" title="line ${n} was refused">${n}</div>` : `<div>${n}</div>`;
            gutter.innerHTML = html;
        }
        gutter.scrollTop = area.scrollTop;
    };
    const paintAll = root => root.querySelectorAll?.('.code-editor-text').forEach(paint);
    document.addEventListener('input', e => { if (e.target.classList?.contains('code-editor-text')) paint(e.target); }, true);
    document.addEventListener('scroll', e => { if (e.target.classList?.contains('code-editor-text')) paint(e.target); }, true);
    new MutationObserver(changes => {
        for (const change of changes) {
            if (change.type === 'attributes') paint(change.target.nextElementSibling);
            else change.addedNodes.forEach(node => { if (node.nodeType === 1) paintAll(node.classList.contains('code-editor-text') ? node.parentElement : node); });
        }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-error-lines', 'data-revision'] });
    paintAll(document);
}
