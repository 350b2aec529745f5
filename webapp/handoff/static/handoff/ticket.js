/* One hand-off ticket (/staff/inbox/<id>/): polls the ticket's feed so the user's new messages
 * appear while staff read and write, and notices when the ticket changes (claimed by a
 * colleague, closed, or the user went back to the bot).
 *
 * No inline script is allowed on staff pages (CSP); text is written with textContent only, so
 * a message containing markup stays text. */
(function () {
  "use strict";

  var history = document.getElementById("history");
  if (!history || !window.fetch) { return; }

  var feedUrl = history.getAttribute("data-feed-url");
  var pollMs = parseInt(history.getAttribute("data-poll-ms"), 10) || 3000;
  var after = parseInt(history.getAttribute("data-after"), 10) || 0;
  var ticketStatus = history.getAttribute("data-status");
  var statusLine = document.getElementById("history-status");
  var draft = document.getElementById("reply-text");
  var MAX_BACKOFF_MS = 30000;
  var failures = 0;

  // One click sends one reply: the button is disabled while the form is on its way.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });

  function atBottom() {
    return history.scrollHeight - history.scrollTop - history.clientHeight < 40;
  }

  function scrollToEnd() { history.scrollTop = history.scrollHeight; }

  // Mirrors the message markup in templates/handoff/ticket.html.
  function item(message) {
    var li = document.createElement("li");
    li.className = "message message-" + message.role + " new";
    li.setAttribute("data-message", String(message.id));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.who;
    var time = document.createElement("time");
    time.setAttribute("datetime", message.at);
    time.textContent = message.time;
    var text = document.createElement("p");
    text.className = "text";
    text.setAttribute("dir", message.dir);
    if (message.lang) { text.setAttribute("lang", message.lang); }
    // Line breaks as in the template's linebreaksbr, without ever parsing HTML.
    message.text.split("\n").forEach(function (line, index) {
      if (index) { text.appendChild(document.createElement("br")); }
      text.appendChild(document.createTextNode(line));
    });
    li.appendChild(who);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(time);
    li.appendChild(text);
    return li;
  }

  function show(feed) {
    if (feed.messages.length) {
      var follow = atBottom();
      var empty = history.querySelector("li.empty");
      if (empty) { empty.remove(); }
      feed.messages.forEach(function (message) {
        if (history.querySelector('li[data-message="' + message.id + '"]')) { return; }
        history.appendChild(item(message));
        after = Math.max(after, message.id);
      });
      if (follow) { scrollToEnd(); }
    }
    if (feed.status !== ticketStatus) {
      ticketStatus = feed.status;
      if (!draft || !draft.value.trim()) {
        window.location.reload();  // nothing to lose: show the steps that fit the new state
        return false;
      }
      statusLine.textContent = "Ärendet har ändrats (" + feed.status_label +
        (feed.claimed_by ? ", " + feed.claimed_by : "") + "). Kopiera ditt utkast och ladda om sidan.";
    }
    return true;
  }

  function next(delay) { window.setTimeout(poll, delay); }

  function poll() {
    var url = feedUrl + "?after=" + encodeURIComponent(String(after));
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") === -1) { throw new Error("signed-out"); }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (feed) {
        if (failures) { statusLine.textContent = ""; }
        failures = 0;
        if (show(feed)) { next(pollMs); }
      })
      .catch(function (error) {
        if (error.message === "signed-out") {
          statusLine.textContent = "Du är utloggad. Kopiera ditt utkast, ladda om sidan och logga in igen.";
          return;
        }
        failures += 1;
        statusLine.textContent = "Nya meddelanden kunde inte hämtas; försöker igen.";
        next(Math.min(MAX_BACKOFF_MS, pollMs * Math.pow(2, failures)));
      });
  }

  scrollToEnd();
  next(pollMs);
}());
