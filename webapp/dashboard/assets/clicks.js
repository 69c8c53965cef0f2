// Clicks on board squares, move rows and plies, pieces dragged, and the ← → keys, without Dash ids.
//
// A square carries data-square="e2", a move row data-play="e2e4", a ply button
// data-ply="3": one listener on the document hands the click to Dash by setting the
// "click" store (a counter makes every click new). ← and → click back and forward.
// A piece pressed on one square and released on another (mouse, pen or finger: pointer
// events) sends {from, to}; a cut-out of the board picture follows the pointer meanwhile.
(function () {
  var clicks = 0;
  var DRAG_START_PX = 5;
  var drag = null; // {from, x, y, started, ghost, over}

  function send(data) {
    if (!window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    clicks += 1;
    data.n = clicks;
    window.dash_clientside.set_props("click", { data: data });
  }

  function squareAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest("[data-square]") : null;
  }

  function makeGhost(square) {
    // the square's part of the board picture, so the piece itself seems to move
    var image = document.getElementById("board-image");
    if (!image) {
      return null;
    }
    var box = square.getBoundingClientRect();
    var picture = image.getBoundingClientRect();
    var ghost = document.createElement("div");
    ghost.className = "drag-ghost";
    ghost.style.width = box.width + "px";
    ghost.style.height = box.height + "px";
    ghost.style.backgroundImage = 'url("' + image.src + '")';
    ghost.style.backgroundSize = picture.width + "px " + picture.height + "px";
    ghost.style.backgroundPosition = (picture.left - box.left) + "px " + (picture.top - box.top) + "px";
    document.body.appendChild(ghost);
    return ghost;
  }

  function endDrag() {
    if (!drag) {
      return;
    }
    if (drag.ghost) {
      drag.ghost.remove();
    }
    drag.from.classList.remove("drag-origin");
    if (drag.over) {
      drag.over.classList.remove("drag-over");
    }
    drag = null;
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) {
      return;
    }
    var square = event.target.closest && event.target.closest("[data-square]");
    if (square) {
      drag = { from: square, x: event.clientX, y: event.clientY, started: false, ghost: null, over: null };
    }
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) {
      return;
    }
    if (!drag.started) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < DRAG_START_PX) {
        return;
      }
      drag.started = true;
      drag.ghost = makeGhost(drag.from);
      drag.from.classList.add("drag-origin");
    }
    event.preventDefault();
    if (drag.ghost) {
      var size = drag.ghost.offsetWidth;
      drag.ghost.style.transform =
        "translate(" + (event.clientX - size / 2) + "px, " + (event.clientY - size / 2) + "px)";
    }
    var over = squareAt(event.clientX, event.clientY);
    if (over !== drag.over) {
      if (drag.over) {
        drag.over.classList.remove("drag-over");
      }
      if (over && over !== drag.from) {
        over.classList.add("drag-over");
      }
      drag.over = over;
    }
  });

  document.addEventListener("pointerup", function (event) {
    if (!drag) {
      return;
    }
    var from = drag.from;
    var started = drag.started;
    endDrag();
    if (!started) {
      return; // a plain click: the click listener reports it
    }
    var target = squareAt(event.clientX, event.clientY);
    if (target && target !== from) {
      send({ from: from.getAttribute("data-square"), to: target.getAttribute("data-square") });
    }
  });

  document.addEventListener("pointercancel", endDrag);

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-square], [data-play], [data-ply]");
    if (!target || target.closest(".game-viewer")) {
      return; // the game viewer's numbers are to read, not to play (assets/viewer.js)
    }
    var data = {};
    if (target.hasAttribute("data-square")) {
      data.square = target.getAttribute("data-square");
    } else if (target.hasAttribute("data-play")) {
      data.play = target.getAttribute("data-play");
    } else {
      data.ply = Number(target.getAttribute("data-ply"));
    }
    send(data);
  });

  document.addEventListener("keydown", function (event) {
    if (document.querySelector(".game-viewer.open")) {
      return; // the game viewer has the keys (assets/viewer.js)
    }
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
