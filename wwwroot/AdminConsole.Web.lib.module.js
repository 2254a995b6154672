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
}
