/* The hand-off inbox (/staff/inbox/): polls the JSON feed every few seconds and redraws the two
 * ticket tables, so new tickets appear without a reload and waits keep counting.
 *
 * The staff pages' Content Security Policy allows no inline script, so this file is the only
 * code of the page. Every value is written with textContent, never as HTML: reasons and names
 * are ours, but nothing a user or colleague typed may ever become markup. */
(function () {
  "use strict";

  var root = document.getElementById("inbox");
  if (!root || !window.fetch) { return; }  // without fetch the page still works, reloaded by hand

  var feedUrl = root.getAttribute("data-feed-url");
  var pollMs = parseInt(root.getAttribute("data-poll-ms"), 10) || 3000;
  var MAX_BACKOFF_MS = 30000;
  var status = document.getElementById("feed-status");
  var waitingCount = document.getElementById("waiting-count");
  var oldestWait = document.getElementById("oldest-wait");
  var baseTitle = document.title;
  var failures = 0;

  // Tickets already on the page are not "new"; only those that arrive later get marked.
  var known = new Set();
  root.querySelectorAll("tr[data-ticket]").forEach(function (tr) { known.add(tr.getAttribute("data-ticket")); });

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function badgeClass(ticket) {
    if (ticket.crisis) { return "badge crisis"; }
    return ticket.priority === 1 ? "badge warn" : "badge";
  }

  // Mirrors templates/handoff/_ticket_row.html.
  function rowFor(ticket, isNew) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-ticket", String(ticket.id));
    if (ticket.crisis) { tr.classList.add("crisis"); }
    if (isNew) { tr.classList.add("new"); }

    var priority = document.createElement("td");
    var badge = document.createElement("span");
    badge.className = badgeClass(ticket);
    badge.textContent = ticket.priority_label;
    priority.appendChild(badge);
    tr.appendChild(priority);

    var reason = document.createElement("td");
    var link = document.createElement("a");
    link.href = ticket.url;
    link.textContent = ticket.reason_label;
    reason.appendChild(link);
    if (ticket.pinned) {
      reason.appendChild(document.createElement("br"));
      var pinned = document.createElement("span");
      pinned.className = "pinned-note";
      pinned.textContent = "Kris visas alltid, även utanför filtret";
      reason.appendChild(pinned);
    }
    tr.appendChild(reason);

    var language = cell(ticket.language_label);
    if (ticket.language_note) {
      language.appendChild(document.createElement("br"));
      var note = document.createElement("span");
      note.className = "language-note";
      note.textContent = ticket.language_note;
      language.appendChild(note);
    }
    tr.appendChild(language);
    tr.appendChild(cell(ticket.municipality_name || "–"));
    tr.appendChild(cell(ticket.channel_label));
    tr.appendChild(cell(ticket.wait_label));
    tr.appendChild(cell(ticket.tier_label));
    tr.appendChild(cell(ticket.claimed_by ? ticket.claimed_by + (ticket.mine ? " (du)" : "") : ticket.status_label));
    return tr;
  }

  function fill(bodyId, tickets, arrived) {
    var body = document.getElementById(bodyId);
    // Keep keyboard focus on the same ticket's link when the rows are redrawn.
    var focused = document.activeElement && body.contains(document.activeElement)
      ? document.activeElement.closest("tr[data-ticket]") : null;
    var focusedId = focused ? focused.getAttribute("data-ticket") : null;

    var rows = document.createDocumentFragment();
    if (!tickets.length) {
      var empty = document.createElement("tr");
      empty.className = "empty";
      var td = cell(body.getAttribute("data-empty"));
      td.colSpan = 8;
      empty.appendChild(td);
      rows.appendChild(empty);
    }
    tickets.forEach(function (ticket) {
      var id = String(ticket.id);
      var isNew = !known.has(id);
      if (isNew) { arrived.push(ticket); }
      rows.appendChild(rowFor(ticket, isNew));
    });
    body.replaceChildren(rows);
    if (focusedId) {
      var again = body.querySelector('tr[data-ticket="' + focusedId + '"] a');
      if (again) { again.focus(); }
    }
  }

  function show(feed) {
    var arrived = [];
    fill("waiting-tickets", feed.waiting, arrived);
    fill("in-progress-tickets", feed.in_progress, arrived);
    arrived.forEach(function (ticket) { known.add(String(ticket.id)); });
    waitingCount.textContent = String(feed.waiting_count);
    oldestWait.textContent = feed.oldest_wait;
    document.title = (feed.waiting_count ? "(" + feed.waiting_count + ") " : "") + baseTitle;
    var newlyWaiting = arrived.filter(function (t) { return t.status === "waiting"; });
    if (newlyWaiting.length) {
      // The status region is polite: a screen reader says it after what it is reading now.
      // Crisis reasons begin with "KRIS:" already, so the reason says enough.
      status.textContent = "Nytt ärende: " + newlyWaiting.map(function (t) {
        return t.reason_label + " (" + t.language_label + ")";
      }).join("; ");
    } else if (failures) {
      status.textContent = "Uppdaterad igen.";
    }
  }

  function next(delay) { window.setTimeout(poll, delay); }

  function poll() {
    fetch(feedUrl, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") === -1) {
          // Redirected to the sign-in page: the session ended (two idle hours).
          throw new Error("signed-out");
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (feed) {
        show(feed);
        failures = 0;
        next(pollMs);
      })
      .catch(function (error) {
        if (error.message === "signed-out") {
          status.textContent = "Du är utloggad. Ladda om sidan och logga in igen för att se nya ärenden.";
          return;  // polling again would only fetch the sign-in page
        }
        failures += 1;
        status.textContent = "Listan kunde inte uppdateras; försöker igen.";
        next(Math.min(MAX_BACKOFF_MS, pollMs * Math.pow(2, failures)));
      });
  }

  next(pollMs);
}());
