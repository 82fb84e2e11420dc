// "Use my location" on the group form: fills latitude and longitude from the phone's position.
// Progressive: without this script the button stays hidden and both fields are typed by hand.
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var lat = document.getElementById("in-lintang");
  var lon = document.getElementById("in-bujur");
  var status = document.getElementById("location-status");
  if (!button || !lat || !lon || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.wait;
    navigator.geolocation.getCurrentPosition(
      function (p) {
        lat.value = p.coords.latitude.toFixed(6);
        lon.value = p.coords.longitude.toFixed(6);
        var accuracy = Math.round(p.coords.accuracy || 0);
        status.textContent = button.dataset.done + (accuracy ? " (± " + accuracy + " m)" : "");
      },
      function () {
        status.textContent = button.dataset.fail;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
