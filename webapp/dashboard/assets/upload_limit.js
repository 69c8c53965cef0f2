// A file over the upload limit is refused by the browser (dcc.Upload's max_size) before
// any byte is sent; this says so next to the drop zone, in the server's words. The limit
// comes from the note's data-limit attribute (the server's UPLOAD_MAX_BYTES).
(function () {
  function size(bytes) {
    return bytes >= 1048576 ? Math.round(bytes / 1048576).toLocaleString("en") + " MB"
                            : Math.round(bytes / 1024).toLocaleString("en") + " KB";
  }

  function check(files) {
    var note = document.getElementById("upload-too-large");
    if (!note || !files || !files.length) {
      return;
    }
    var limit = Number(note.getAttribute("data-limit"));
    var file = files[0];
    note.textContent = limit > 0 && file.size > limit
      ? file.name + " is " + size(file.size) + "; uploads are limited to " + size(limit) +
        ". Import bigger files on the server: python -m webapp import FILE"
      : "";
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.closest && event.target.closest("#upload")) {
      check(event.target.files);
    }
  }, true);

  document.addEventListener("drop", function (event) {
    if (event.target && event.target.closest && event.target.closest("#upload")) {
      check(event.dataTransfer && event.dataTransfer.files);
    }
  }, true);
})();
