// Keyboard users can scroll a table that is wider than its column (WCAG 2.1.1): a scrolling table
// container becomes a focusable, named region (what axe's scrollable-region-focusable asks).
(() => {
    const mark = () => document.querySelectorAll('.mud-table-container').forEach(container => {
        const scrolls = container.scrollWidth > container.clientWidth + 1 || container.scrollHeight > container.clientHeight + 1;
        if (scrolls && !container.hasAttribute('tabindex')) {
            container.setAttribute('tabindex', '0');
            container.setAttribute('role', 'region');
            container.setAttribute('aria-label', `${document.querySelector('h1')?.textContent?.trim() ?? 'Table'} (scrolls sideways)`);
        }
    });
    new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
    window.addEventListener('resize', mark);
    mark();
})();
