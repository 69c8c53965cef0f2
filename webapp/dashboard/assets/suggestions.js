// Player name suggestions under the player boxes, as you type.
//
// The boxes stay free text (a name with no games yet is still accepted and noted); while
// typing, a list under the box shows the names that start with what was typed, with
// their games and sources, from GET /api/players?prefix=... . Clicking a name, or ↓/↑ and
// Enter, puts it in the box and hands it to Dash as the box's value. Escape closes the list.
(function () {
  var BOXES = ["filter-player", "player-name", "opponent-name"];
  var MIN_CHARS = 2;
  var DELAY_MS = 120;
  var cache = new Map();
  var list = null;
  var box = null; // the input the list belongs to
  var active = -1;
  var items = [];
  var timer = null;
  var leaving = null; // the pending close after the box lost the focus
  var dismissed = false; // Enter, Escape, a pick or leaving the box: no list until typing again

  function isBox(element) {
    return element && element.tagName === "INPUT" && BOXES.indexOf(element.id) >= 0;
  }

  function ensureList() {
    if (!list) {
      list = document.createElement("ul");
      list.id = "player-suggestions";
      list.className = "player-suggestions list-group shadow-sm";
      list.setAttribute("role", "listbox");
      list.hidden = true;
      list.addEventListener("mousedown", function (event) {
        var item = event.target.closest("li[data-name]");
        event.preventDefault(); // keep the focus in the box
        if (item) {
          pick(item.getAttribute("data-name"));
        }
      });
      document.body.appendChild(list);
    }
    return list;
  }

  function dismiss() {
    dismissed = true;
    clearTimeout(timer);
    close();
  }

  function close() {
    if (list) {
      list.hidden = true;
      list.innerHTML = "";
    }
    if (box) {
      box.setAttribute("aria-expanded", "false");
    }
    items = [];
    active = -1;
  }

  function place() {
    if (!list || !box) {
      return;
    }
    var rect = box.getBoundingClientRect();
    list.style.left = rect.left + window.scrollX + "px";
    list.style.top = rect.bottom + window.scrollY + 2 + "px";
    list.style.minWidth = rect.width + "px";
  }

  function show(players, prefix) {
    if (!box || dismissed || document.activeElement !== box || box.value.trim() !== prefix) {
      return; // an older answer, or the box was left or submitted meanwhile
    }
    ensureList().innerHTML = "";
    items = players;
    active = -1;
    if (!players.length) {
      close();
      return;
    }
    players.forEach(function (player, index) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action suggestion";
      li.id = "player-suggestion-" + index;
      li.setAttribute("role", "option");
      li.setAttribute("data-name", player.name);
      if (player.spellings.length > 1) {
        li.title = "also spelled " + player.spellings.slice(1).join(" · ");
      }
      var name = document.createElement("span");
      name.className = "suggestion-name";
      name.textContent = player.name;
      var meta = document.createElement("span");
      meta.className = "suggestion-meta";
      meta.textContent =
        player.games.toLocaleString("en") + (player.games === 1 ? " game" : " games") + " · " +
        player.sources.join(", ");
      li.appendChild(name);
      li.appendChild(meta);
      list.appendChild(li);
    });
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    place();
    if (list.getBoundingClientRect().bottom > window.innerHeight) {
      list.scrollIntoView({ block: "nearest" }); // on a phone the box sits low: bring the names up
    }
  }

  function highlight(index) {
    var children = list ? list.children : [];
    for (var i = 0; i < children.length; i++) {
      children[i].classList.toggle("active", i === index);
      children[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
  }

  function pick(name) {
    var target = box;
    dismiss();
    if (!target) {
      return;
    }
    target.value = name;
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(target.id, { value: name });
    }
  }

  function lookUp(prefix) {
    if (cache.has(prefix)) {
      show(cache.get(prefix), prefix);
      return;
    }
    fetch("/api/players?limit=8&prefix=" + encodeURIComponent(prefix))
      .then(function (response) { return response.ok ? response.json() : { players: [] }; })
      .then(function (body) {
        cache.set(prefix, body.players || []);
        show(body.players || [], prefix);
      })
      .catch(function () { close(); });
  }

  document.addEventListener("input", function (event) {
    if (!isBox(event.target)) {
      return;
    }
    box = event.target;
    dismissed = false;
    box.setAttribute("aria-controls", "player-suggestions");
    box.setAttribute("aria-autocomplete", "list");
    var prefix = box.value.trim();
    clearTimeout(timer);
    if (prefix.length < MIN_CHARS) {
      close();
      return;
    }
    timer = setTimeout(function () { lookUp(prefix); }, DELAY_MS);
  });

  // capture phase: runs before the box's own Enter handling, so Enter picks the highlighted name
  document.addEventListener("keydown", function (event) {
    if (!isBox(event.target)) {
      return;
    }
    var open = list && !list.hidden && items.length;
    if (!open) {
      if (event.key === "Enter" || event.key === "Escape") {
        dismiss(); // the typed text is submitted: no list popping up after it
      }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + items.length) % items.length);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      event.stopPropagation();
      pick(items[active].name);
    } else if (event.key === "Escape" || event.key === "Enter") {
      dismiss();
    }
  }, true);

  document.addEventListener("focusout", function (event) {
    if (isBox(event.target)) {
      clearTimeout(leaving);
      leaving = setTimeout(dismiss, 150); // later, so a click on a name still picks it
    }
  });
  document.addEventListener("focusin", function (event) {
    if (isBox(event.target) && event.target === box) {
      clearTimeout(leaving); // back in the box before the list closed: typing goes on
    }
  });
  window.addEventListener("resize", place);
  window.addEventListener("scroll", place, true);
})();
