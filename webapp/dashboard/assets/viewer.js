// The game viewer's keys and move clicks, without Dash ids (see webapp/dashboard/game_viewer.py).
//
// While the viewer is open (.game-viewer.open): ← → step, Home End go to the start and the
// end, by clicking the viewer's buttons; a move of the list (data-game-ply="12") sets the
// "viewer-click" store. The current move is kept in view in the list.
(function () {
  var clicks = 0;
  var KEYS = { ArrowLeft: "viewer-previous", ArrowRight: "viewer-next", Home: "viewer-first", End: "viewer-last" };

  function viewerOpen() {
    return document.querySelector(".game-viewer.open") !== null;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-game-ply]");
    if (!target || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    clicks += 1;
    window.dash_clientside.set_props("viewer-click", {
      data: { ply: Number(target.getAttribute("data-game-ply")), n: clicks },
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!viewerOpen()) {
      return;
    }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var button = KEYS[event.key] && document.getElementById(KEYS[event.key]);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  // keep the current move visible in the list (it is redrawn with each step)
  var observer = new MutationObserver(function () {
    var current = document.querySelector("#viewer-moves .game-ply.current");
    var list = current && current.closest(".game-plies");
    if (!list) {
      return;
    }
    var top = current.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + current.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = top - list.clientHeight / 2;
    }
  });
  function watch() {
    var moves = document.getElementById("viewer-moves");
    if (moves) {
      observer.observe(moves, { childList: true, subtree: true });
    } else {
      setTimeout(watch, 200);
    }
  }
  watch();
})();
