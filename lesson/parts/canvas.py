"""The Draw page's canvas: its size, its toolbar under the square, a layout that keeps it whole."""

CANVAS = 280  # pixels: ten canvas pixels for each of the network's 28
# The canvas's hover toolbar sits over the square's top edge and swallows strokes started
# there: keep it always shown, just below the square. (Its styles live in a shadow root.)
TOOLBAR_BELOW = """<script>
(() => {
  const css = `.dc-toolbar, .dc-root:hover > .dc-toolbar, .dc-toolbar[data-pinned=true] {
    top: calc(100% + 2px) !important; opacity: 1 !important; padding: 0 !important;
    transition: none !important; }`;
  // A host may get its shadow root a moment after it is added (WebKit, after a page switch),
  // and nothing inside a shadow root wakes the observer: retry each frame for a few seconds.
  const fix = (tries = 0) => {
    let waiting = false;
    document.querySelectorAll("[data-testid=stBidiComponentIsolated]").forEach((host) => {
      const root = host.shadowRoot;
      if (!root || !root.querySelector(".dc-root")) waiting = true;
      else if (!root.querySelector("style[data-toolbar-below]")) {
        const style = document.createElement("style");
        style.dataset.toolbarBelow = "1";
        style.textContent = css;
        root.appendChild(style);
      }
    });
    if (waiting && tries < 300) requestAnimationFrame(() => fix(tries + 1));
  };
  fix();
  if (!window.__toolbarBelow) {
    window.__toolbarBelow = new MutationObserver(() => fix());
    window.__toolbarBelow.observe(document.body, { childList: true, subtree: true });
  }
})();
</script>"""
# The canvas's column is 2/5 of the page: side by side while that holds the whole square (and a
# margin), stacked below that width (a tablet in portrait, the sidebar open on a laptop, a
# projector at 150 % zoom), so the square is never cut off nor scrolled sideways.
STACKED_BELOW = 780  # px of the page's main column (the columns: 283 + 441 at 791 px)
ROW = '.st-key-draw_layout > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]'
LAYOUT_CSS = f"""<style>
.st-key-draw_layout {{ container-type: inline-size; }}
@container (max-width: {STACKED_BELOW}px) {{
  {ROW} {{ flex-direction: column; }}
  {ROW} > [data-testid="stColumn"] {{ width: 100% !important; flex: 1 1 auto !important; }}
}}
</style>"""
