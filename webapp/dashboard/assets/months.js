// The month slider's tooltip: a month number (year × 12 + month − 1) as YYYY-MM.
window.dccFunctions = window.dccFunctions || {};
window.dccFunctions.monthText = function (value) {
  var year = Math.floor(value / 12);
  var month = (value % 12) + 1;
  return year + "-" + (month < 10 ? "0" : "") + month;
};
