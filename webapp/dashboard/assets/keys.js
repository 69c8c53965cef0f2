// ← and → step back and forward through the line by clicking the dashboard's buttons.
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
