// Clicks on board squares, move rows and plies, and the ← → keys, without Dash ids.
//
// A square carries data-square="e2", a move row data-play="e2e4", a ply button
// data-ply="3": one listener on the document hands the click to Dash by setting the
// "click" store (a counter makes every click new). ← and → click back and forward.
(function () {
  var clicks = 0;

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-square], [data-play], [data-ply]");
    if (!target || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    clicks += 1;
    var data = { n: clicks };
    if (target.hasAttribute("data-square")) {
      data.square = target.getAttribute("data-square");
    } else if (target.hasAttribute("data-play")) {
      data.play = target.getAttribute("data-play");
    } else {
      data.ply = Number(target.getAttribute("data-ply"));
    }
    window.dash_clientside.set_props("click", { data: data });
  });

  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var id = event.key === "ArrowLeft" ? "back" : event.key === "ArrowRight" ? "forward" : null;
    var button = id && document.getElementById(id);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
})();
