// MathJax 3 configuration for pymdownx.arithmatex in generic mode: it wraps inline math in
// \( \) and display math in \[ \], inside elements of class "arithmatex". MathJax itself is served
// from this site (assets/mathjax/, copied at build time by docs_hooks/mathjax_assets.py).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// MathJax typesets each page once, when it loads. The theme's instant navigation (which swaps
// pages without loading them) is left off in mkdocs.yml, so no re-typesetting is needed.
