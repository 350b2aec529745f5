/*
 * Newcomer assistant: the chat widget a municipality embeds in its own web pages.
 *
 *   <script src="https://ASSISTANT/widget/newcomer-widget.js" data-municipality="0182" defer></script>
 *
 * Options (docs/widget.md) come from data- attributes on that tag or from
 * window.NewcomerWidgetConfig = {rasaUrl, municipality, language, primaryColor, position};
 * a data- attribute wins over the same option in the object.
 *
 * How it works:
 * - It talks to Rasa's REST channel, POST {rasaUrl}/webhooks/rest/webhook, with metadata
 *   {language, municipality, channel: "web"}. That channel (bot/channels.py) always answers.
 *   Its sender id is not chosen here: POST {rasaUrl}/webhooks/rest/session hands out an id and
 *   its signature ("session"), sent with every message and poll (ensureSession).
 * - Its UI strings come from the product's Babel catalogs via /widget/strings/<lang>.json.
 * - It lives in a shadow root, so the page's CSS cannot break it and its CSS cannot leak out.
 * - Every text from the bot or the user is inserted as text, never parsed as HTML; only
 *   http(s) links in the bot's text become links.
 * - The sender id, the rendered history and the messages not yet delivered are kept in
 *   localStorage, so a reload keeps the conversation and nothing typed is lost: a message
 *   that could not be sent stays queued and is re-sent when the server answers again.
 * - When a person takes over (a reply carries the custom message {handoff: {active: true}}),
 *   it polls GET {baseUrl}messages?sender=…&session=…&after=… for what they write and shows it marked as
 *   from a person, until the conversation is back with the bot.
 */
(() => {
  "use strict";

  const script = document.currentScript || document.querySelector('script[src*="newcomer-widget.js"]');
  if (!script || window.NewcomerWidget) return; // one widget per page, even if the tag is there twice

  const STORAGE_KEY = "newcomer-widget:v1";
  const STRINGS_KEY = "newcomer-widget:v1:strings";
  const HISTORY_LIMIT = 200;
  const REQUEST_TIMEOUT_MS = 30000;
  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000]; // then every 8 s until the server answers
  const RECONNECTED_NOTICE_MS = 4000;
  const HANDOFF_POLL_MS = 3000; // while a person has the conversation
  const HANDOFF_POLL_MAX_MS = 30000; // when the product's server does not answer
  const DEFAULT_PRIMARY = "#005a9c";
  const DARK_TEXT = "#1b1f23";
  // Links end at white space, quotes, angle brackets and bidi controls: the bot wraps URLs in
  // Arabic and Dari replies in Unicode isolates (U+2068 … U+2069).
  const URL_PATTERN = /https?:\/\/[^\s<>"'\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;
  const TRAILING_PUNCTUATION = /[.,;:!?)\]}»”’'"،؛؟]+$/;
  const ISOLATED_RUN = /\u2068[^\u2069]*\u2069/g;
  const ARABIC_SCRIPT = /[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]/g;
  const LATIN = /[A-Za-z\u00c0-\u024f]/g;
  // Letters Dari writes and Arabic never does (Persian yeh and kaf, peh, cheh, zheh, gaf).
  const DARI_LETTERS = /[\u06cc\u06a9\u067e\u0686\u0698\u06af]/g;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9.5L5 21.5V18H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z",
    close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
    restart: "M12 4V1L7.5 5.5 12 10V6a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
  };

  // For the page: a "Chat with us" link may open the panel. Nothing happens before it is built.
  window.NewcomerWidget = {
    open: () => view.panel && !state.open && open(),
    close: () => view.panel && state.open && close(),
  };

  // --- options ---------------------------------------------------------------------------

  function readConfig() {
    const fromPage = window.NewcomerWidgetConfig && typeof window.NewcomerWidgetConfig === "object"
      ? window.NewcomerWidgetConfig : {};
    const option = (name) => {
      const fromTag = script.dataset[name];
      if (fromTag !== undefined && fromTag.trim() !== "") return fromTag.trim();
      const value = fromPage[name];
      return value === undefined || value === null ? "" : String(value).trim();
    };
    const municipality = option("municipality");
    const primaryColor = option("primaryColor");
    return {
      baseUrl: new URL(".", script.src).href,
      rasaUrl: option("rasaUrl").replace(/\/+$/, ""),
      municipality: /^\d{4}$/.test(municipality) ? municipality : "",
      language: option("language"),
      primaryColor: /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(primaryColor) ? primaryColor : DEFAULT_PRIMARY,
      position: option("position").toLowerCase() === "left" ? "left" : "right",
    };
  }

  const config = readConfig();

  // --- storage (the conversation survives reloads; without storage it lasts as long as the page)

  const storage = {
    read(key) {
      try {
        return JSON.parse(window.localStorage.getItem(key));
      } catch (error) {
        return null;
      }
    },
    write(key, value) {
      try {
        window.localStorage.setItem(key, JSON.stringify(value));
      } catch (error) {
        // Storage blocked or full: keep going in memory.
      }
    },
  };

  function freshState(language) {
    // sender and session come from the server (ensureSession): a web id cannot be chosen.
    return { sender: "", session: "", language: language || "", open: false, greeted: false,
             history: [], outbox: [], nextId: 1, handoff: false, handoffAfter: 0 };
  }

  function loadState() {
    const saved = storage.read(STORAGE_KEY);
    const valid = saved && typeof saved.sender === "string" && Array.isArray(saved.history)
      && Array.isArray(saved.outbox) && Number.isInteger(saved.nextId);
    if (!valid) return freshState("");
    // Whatever another version of the widget (or anyone) left in storage is only rendered as
    // text, but it must have the expected shape.
    saved.history = saved.history.filter((entry) => entry && ["user", "bot", "staff"].includes(entry.who)
      && typeof entry.text === "string" && Number.isInteger(entry.id));
    for (const entry of saved.history) {
      entry.buttons = validButtons(entry.buttons);
      entry.name = typeof entry.name === "string" ? entry.name : "";
    }
    saved.handoff = saved.handoff === true;
    saved.handoffAfter = Number.isInteger(saved.handoffAfter) ? saved.handoffAfter : 0;
    saved.outbox = saved.outbox.filter((item) => item && typeof item.message === "string");
    if (typeof saved.session !== "string") saved.session = ""; // an older widget's own id: ask for a session
    return saved;
  }

  /** Only buttons with a text title and payload, reduced to those two fields. */
  function validButtons(buttons) {
    return (Array.isArray(buttons) ? buttons : [])
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
  }

  let state = loadState();
  const save = () => storage.write(STORAGE_KEY, state);

  // --- UI strings (from the product's catalogs) ---------------------------------------------

  let ui = null; // {language, dir, strings, languages, maxLength, rasaUrl} from /widget/strings/<lang>.json

  async function fetchStrings(language) {
    const url = new URL("strings/" + encodeURIComponent(language) + ".json", config.baseUrl);
    const response = await fetch(url.href, { credentials: "omit" });
    if (!response.ok) throw new Error("widget strings: HTTP " + response.status);
    const loaded = await response.json();
    const cache = storage.read(STRINGS_KEY) || {};
    cache[language] = loaded;
    cache[loaded.language] = loaded;
    storage.write(STRINGS_KEY, cache);
    return loaded;
  }

  /** The strings for a language: from the server, else from the last copy kept, else null. */
  async function loadStrings(language) {
    try {
      return await fetchStrings(language);
    } catch (error) {
      const cache = storage.read(STRINGS_KEY) || {};
      return cache[language] || null;
    }
  }

  const t = (key) => (ui && ui.strings[key]) || "";
  const bcp47 = (code) => code.replace("_", "-");

  /** Fill every text, name and placeholder below ``node`` that is marked with a string key. */
  function relabel(node) {
    const marked = [node, ...node.querySelectorAll("[data-nw-text], [data-nw-label], [data-nw-placeholder], [data-nw-title]")];
    for (const element of marked) {
      const data = element.dataset || {};
      if (data.nwText) {
        // Hidden screen-reader texts are padded so they never run into the visible words.
        element.textContent = element.classList.contains("nw-sr") ? " " + t(data.nwText) + " " : t(data.nwText);
      }
      if (data.nwLabel) element.setAttribute("aria-label", t(data.nwLabel));
      if (data.nwTitle) element.setAttribute("title", t(data.nwTitle));
      if (data.nwPlaceholder) element.setAttribute("placeholder", t(data.nwPlaceholder));
    }
  }

  // --- colours: the municipality's colour, with text that stays readable (WCAG AA) -----------

  function luminance(hex) {
    const digits = hex.length === 4 ? hex.slice(1).replace(/./g, "$&$&") : hex.slice(1);
    const channels = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  }

  function applyColours(root) {
    const primary = config.primaryColor;
    const whiteIsReadable = contrast(primary, "#ffffff") >= 4.5;
    root.style.setProperty("--nw-primary", primary);
    root.style.setProperty("--nw-on-primary", whiteIsReadable ? "#ffffff" : DARK_TEXT);
    // Text in the primary colour on white (choice buttons) only where it is readable.
    root.style.setProperty("--nw-primary-ink", whiteIsReadable ? primary : DARK_TEXT);
  }

  // --- DOM helpers: elements and text only, never HTML strings -------------------------------

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children || []) node.append(child); // strings become text nodes
    return node;
  }

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  const hiddenText = (key) => el("span", { class: "nw-sr", "data-nw-text": key });

  /** The direction of a message from its own letters (a Swedish word in an Arabic reply or an
   *  Arabic question in a Swedish conversation must not flip it), "auto" when it has none. */
  function directionOf(text) {
    const prose = text.replace(URL_PATTERN, " ").replace(ISOLATED_RUN, " ");
    const rightToLeft = (prose.match(ARABIC_SCRIPT) || []).length;
    const leftToRight = (prose.match(LATIN) || []).length;
    if (!rightToLeft && !leftToRight) return "auto";
    return rightToLeft > leftToRight ? "rtl" : "ltr";
  }

  function safeLink(candidate) {
    let url;
    try {
      url = new URL(candidate);
    } catch (error) {
      return null;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    const link = el("a", { href: url.href, target: "_blank", rel: "noopener noreferrer", dir: "ltr" }, [candidate]);
    link.append(hiddenText("new_window"));
    return link;
  }

  /** Append ``text`` to ``node`` as text nodes, with http(s) URLs as safe links if asked. */
  function appendText(node, text, withLinks) {
    if (!withLinks) {
      node.append(text);
      return;
    }
    let position = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const candidate = match[0].replace(TRAILING_PUNCTUATION, "");
      node.append(text.slice(position, match.index));
      node.append(safeLink(candidate) || candidate);
      position = match.index + candidate.length;
    }
    node.append(text.slice(position));
  }

  // --- the widget's elements ------------------------------------------------------------------

  const view = {};

  function buildWidget() {
    view.host = el("div", { id: "newcomer-widget" });
    const shadow = view.host.attachShadow({ mode: "open" });
    const stylesheet = el("link", { rel: "stylesheet", href: new URL("newcomer-widget.css", config.baseUrl).href });
    // Shown once styled, so the page never flashes an unstyled chat; shown anyway if the CSS fails.
    view.root = el("div", { class: "nw nw-" + config.position, hidden: true });
    const reveal = () => view.root.removeAttribute("hidden");
    stylesheet.addEventListener("load", reveal);
    stylesheet.addEventListener("error", reveal);
    applyColours(view.root);

    view.bubble = el("button", { type: "button", class: "nw-bubble", "aria-expanded": "false",
                                 "aria-controls": "nw-panel", "data-nw-label": "open" }, [icon("chat")]);
    view.bubble.addEventListener("click", () => (state.open ? close() : open()));

    view.panel = el("section", { id: "nw-panel", class: "nw-panel", role: "dialog", "aria-labelledby": "nw-title", hidden: true });
    view.panel.append(buildHeader(), buildLog(), buildStatus(), buildForm(), view.notice);

    view.root.append(view.bubble, view.panel);
    view.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.open) {
        event.preventDefault();
        close();
      }
    });
    shadow.append(stylesheet, view.root);
  }

  function buildHeader() {
    view.close = el("button", { type: "button", class: "nw-icon-button", "data-nw-label": "close", "data-nw-title": "close" }, [icon("close")]);
    view.close.addEventListener("click", close);
    view.restart = el("button", { type: "button", class: "nw-icon-button", "data-nw-label": "restart", "data-nw-title": "restart" }, [icon("restart")]);
    view.restart.addEventListener("click", restart);
    view.language = el("select", { id: "nw-language", class: "nw-language" });
    for (const choice of ui.languages) {
      view.language.append(el("option", { value: choice.code, lang: bcp47(choice.code), dir: choice.dir }, [choice.name]));
    }
    view.language.addEventListener("change", () => switchLanguage(view.language.value));
    const languageLabel = el("label", { for: "nw-language", class: "nw-language-label", "data-nw-text": "language" });
    return el("div", { class: "nw-header" }, [
      el("div", { class: "nw-header-row" }, [el("h2", { id: "nw-title", class: "nw-title", "data-nw-text": "title" }), view.close]),
      el("div", { class: "nw-header-row nw-tools" }, [languageLabel, view.language, view.restart]),
    ]);
  }

  function buildLog() {
    // tabindex: the log scrolls, so keyboard users must be able to reach it.
    view.log = el("div", { class: "nw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                           "data-nw-label": "conversation", tabindex: "0" });
    view.typing = el("div", { class: "nw-row nw-row-bot nw-typing", hidden: true }, [
      el("div", { class: "nw-msg nw-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      hiddenText("typing"),
    ]);
    view.log.append(view.typing);
    view.log.addEventListener("scroll", () => {
      pinnedToEnd = view.log.scrollTop + view.log.clientHeight >= view.log.scrollHeight - 4;
    }, { passive: true });
    watchSize(view.log);
    return view.log;
  }

  function buildStatus() {
    view.status = el("p", { class: "nw-status", role: "status" });
    return view.status;
  }

  function buildForm() {
    view.input = el("textarea", { id: "nw-input", class: "nw-input", rows: "1", "data-nw-placeholder": "placeholder",
                                  autocomplete: "off", dir: "auto" });
    view.input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter is a new line; never while an input method is composing a word.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        sendTyped();
      }
    });
    view.input.addEventListener("input", () => {
      fitInput();
      if (!view.notice.hidden && view.input.value.trim().length <= ui.maxLength) hideTooLong();
    });
    view.send = el("button", { type: "submit", class: "nw-send", "data-nw-text": "send" });
    // role=alert: a screen reader says at once why nothing was sent.
    view.notice = el("p", { id: "nw-notice", class: "nw-notice", role: "alert", hidden: true });
    view.input.setAttribute("aria-describedby", "nw-notice");
    view.form = el("form", { class: "nw-form" }, [
      el("label", { for: "nw-input", class: "nw-sr", "data-nw-text": "message" }), view.input, view.send,
    ]);
    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendTyped();
    });
    return view.form;
  }

  function sendTyped() {
    const text = view.input.value.trim();
    if (!text) return;
    // A pasted text over the channel's limit would be cut by the server: say so and keep it
    // in the box instead (the input has no maxlength, which would cut it silently on paste).
    if (ui.maxLength && text.length > ui.maxLength) {
      showTooLong(text.length);
      return;
    }
    hideTooLong();
    view.input.value = "";
    fitInput();
    say(text, text);
  }

  function showTooLong(count) {
    const format = (n) => n.toLocaleString(bcp47(ui.language));
    view.notice.textContent = t("too_long").replace("{count}", format(count)).replace("{limit}", format(ui.maxLength));
    view.notice.hidden = false;
    view.input.setAttribute("aria-invalid", "true");
  }

  function hideTooLong() {
    view.notice.hidden = true;
    view.notice.textContent = "";
    view.input.removeAttribute("aria-invalid");
  }

  function fitInput() {
    view.input.style.height = "auto";
    view.input.style.height = view.input.scrollHeight + 2 + "px"; // capped by max-height in the CSS
  }

  /** Put the widget in the current language: direction, language tags, every label. */
  function applyLanguage() {
    for (const node of [view.host, view.root]) {
      node.setAttribute("lang", bcp47(ui.language));
      node.setAttribute("dir", ui.dir);
    }
    view.language.value = ui.language;
    if (!view.notice.hidden) showTooLong(view.input.value.trim().length); // in the new language
    view.bubble.dataset.nwLabel = state.open ? "close" : "open";
    relabel(view.root);
    showConnection(connection);
  }

  // --- messages ---------------------------------------------------------------------------

  function renderEntry(entry) {
    const row = el("div", { class: "nw-row nw-row-" + entry.who, "data-entry": entry.id });
    if (entry.who === "staff") {
      // Visibly from a person, not the bot: "Staff member" and their name, each in its own
      // direction (a Swedish name inside an Arabic label stays readable).
      const label = el("p", { class: "nw-author" }, [el("span", { "data-nw-text": "staff" })]);
      if (entry.name) label.append(" · ", el("bdi", {}, [entry.name]));
      row.append(label);
    }
    if (entry.text) {
      const speaker = { user: "you", bot: "assistant", staff: "staff" }[entry.who];
      const message = el("div", { class: "nw-msg", dir: directionOf(entry.text) }, [hiddenText(speaker)]);
      appendText(message, entry.text, entry.who !== "user");
      row.append(message);
    }
    if (entry.buttons && entry.buttons.length) {
      const choices = el("div", { class: "nw-choices" });
      for (const button of entry.buttons) {
        const choice = el("button", { type: "button", class: "nw-choice", dir: directionOf(button.title) }, [button.title]);
        choice.addEventListener("click", () => say(button.payload, button.title));
        choices.append(choice);
      }
      row.append(choices);
    }
    if (entry.who === "user") {
      row.append(el("p", { class: "nw-note", "data-nw-text": noteKey(entry), hidden: !noteKey(entry) }));
    }
    relabel(row);
    watchSize(row);
    return row;
  }

  /** The note under a user message: waiting for the connection, refused, or none. */
  const noteKey = (entry) => ({ pending: "pending", failed: "failed" })[entry.delivery] || "";

  function updateNote(entry) {
    const note = view.log.querySelector('[data-entry="' + entry.id + '"] .nw-note');
    if (!note) return;
    const key = noteKey(entry);
    note.hidden = !key;
    if (key) {
      note.dataset.nwText = key;
      relabel(note);
    }
  }

  function addEntry(entry) {
    entry.id = state.nextId++;
    state.history.push(entry);
    while (state.history.length > HISTORY_LIMIT) {
      const dropped = state.history.shift();
      const row = view.log.querySelector('[data-entry="' + dropped.id + '"]');
      if (row) forgetRow(row);
    }
    save();
    view.log.insertBefore(renderEntry(entry), view.typing);
    scrollToEnd();
    return entry;
  }

  // Whether the log should stay at its latest message: true until the visitor scrolls up to
  // read, true again once they are back at the end.
  let pinnedToEnd = true;
  // Rows and the log change size after they are added (a restored history laid out when the
  // panel opens, Arabic-script and emoji fonts arriving late, the status line): without this a
  // reload could leave the panel at the oldest message.
  const keepAtEnd = typeof ResizeObserver === "function"
    ? new ResizeObserver(() => { if (pinnedToEnd) view.log.scrollTop = view.log.scrollHeight; })
    : null;

  function watchSize(node) {
    if (keepAtEnd) keepAtEnd.observe(node);
  }

  function forgetRow(row) {
    if (keepAtEnd) keepAtEnd.unobserve(row);
    row.remove();
  }

  function scrollToEnd() {
    pinnedToEnd = true;
    view.log.scrollTop = view.log.scrollHeight;
    requestAnimationFrame(() => { if (pinnedToEnd) view.log.scrollTop = view.log.scrollHeight; });
  }

  function receive(replies) {
    for (const reply of replies) {
      if (!reply || typeof reply !== "object") continue;
      const text = typeof reply.text === "string" ? reply.text : "";
      const buttons = validButtons(reply.buttons);
      const custom = reply.custom && typeof reply.custom === "object" ? reply.custom : {};
      if (custom.erased === true) {
        forgetConversation(text);
        return; // the rest of that turn belonged to the erased conversation
      }
      if (text || buttons.length) addEntry({ who: "bot", text, buttons });
      followLanguage(languageOfReply(text));
      const handoff = custom.handoff;
      if (handoff && typeof handoff.active === "boolean") setHandoff(handoff.active);
    }
  }

  // The assistant answers in the language the visitor writes (bot/language.py). Its own texts
  // are written per language, so their script tells the language: Dari uses the Persian letters
  // ی ک پ چ ژ گ, Arabic never does. URLs and short texts (a place name) tell nothing.

  function languageOfReply(text) {
    const words = (text || "").replace(/https?:\/\/\S+/g, "");
    const arabicScript = (words.match(ARABIC_SCRIPT) || []).length;
    const latin = (words.match(LATIN) || []).length;
    // Three, not one: an Arabic text may name the language دری.
    if (arabicScript >= 12 && arabicScript > latin) return (words.match(DARI_LETTERS) || []).length >= 3 ? "fa_AF" : "ar";
    if (latin >= 24 && arabicScript === 0) return "sv";
    return "";
  }

  /** The whole interface (labels, direction, screen-reader texts) follows the conversation's
   *  language as soon as the assistant answers in another one than shown. */
  async function followLanguage(code) {
    if (!code || !ui || code === ui.language || !ui.languages.some((language) => language.code === code)) return;
    const loaded = await loadStrings(code);
    if (!loaded || loaded.language === ui.language) return;
    ui = loaded;
    state.language = ui.language;
    save();
    applyLanguage();
  }

  /** The visitor's browser language when it is one of the assistant's (Persian browsers get
   *  Dari, as on Telegram), else "". */
  function browserLanguage() {
    const tags = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""]);
    for (const tag of tags.map((value) => String(value).toLowerCase())) {
      if (tag === "ar" || tag.startsWith("ar-")) return "ar";
      if (tag === "prs" || tag.startsWith("prs-") || tag === "fa" || tag.startsWith("fa-")) return "fa_AF";
      if (tag === "sv" || tag.startsWith("sv-")) return "sv";
    }
    return "";
  }

  /** "Delete my data" done on the server: forget it here too (screen, storage, session id), so
   *  the next person at a shared computer reads nothing, and say so. */
  function forgetConversation(botText) {
    clearTimeout(handoffTimer);
    const carried = { language: state.language, open: state.open };
    state = freshState(carried.language);
    state.open = carried.open;
    state.greeted = true; // the new conversation starts when the user writes, without a greeting
    for (const row of view.log.querySelectorAll("[data-entry]")) forgetRow(row);
    save();
    if (botText) addEntry({ who: "bot", text: botText, buttons: [] });
    addEntry({ who: "bot", text: t("erased"), buttons: [] });
  }

  // --- a person has the conversation: poll for what they write ----------------------------------

  let handoffTimer = null;
  let handoffPolling = false;
  let handoffFailures = 0;

  function setHandoff(active) {
    const ended = state.handoff && !active;
    state.handoff = active;
    save();
    // One more look after the end, so a last message written just before it is not missed.
    if (active || ended) pollHandoff();
  }

  function scheduleHandoffPoll(delay) {
    clearTimeout(handoffTimer);
    handoffTimer = state.handoff ? setTimeout(pollHandoff, delay) : null;
  }

  async function pollHandoff() {
    if (handoffPolling) return;
    handoffPolling = true;
    clearTimeout(handoffTimer);
    const sender = state.sender;
    let delay = HANDOFF_POLL_MS;
    try {
      const url = new URL("messages", config.baseUrl);
      url.searchParams.set("sender", sender);
      url.searchParams.set("session", state.session);
      url.searchParams.set("after", String(state.handoffAfter));
      const response = await fetch(url.href, { credentials: "omit", cache: "no-store" });
      if (!response.ok) throw new Error("hand-off messages: HTTP " + response.status);
      const answer = await response.json();
      if (state.sender !== sender) return; // "New conversation" was chosen meanwhile
      for (const message of Array.isArray(answer.messages) ? answer.messages : []) {
        if (!message || !Number.isInteger(message.id) || message.id <= state.handoffAfter) continue;
        state.handoffAfter = message.id;
        const text = typeof message.text === "string" ? message.text : "";
        if (message.kind === "staff") {
          addEntry({ who: "staff", text, name: typeof message.name === "string" ? message.name : "", buttons: [] });
        } else if (text) {
          addEntry({ who: "bot", text, buttons: validButtons(message.buttons) });
        }
      }
      state.handoff = answer.active === true;
      handoffFailures = 0;
      save();
    } catch (error) {
      handoffFailures += 1;
      delay = Math.min(HANDOFF_POLL_MS * Math.pow(2, handoffFailures), HANDOFF_POLL_MAX_MS);
    } finally {
      handoffPolling = false;
    }
    scheduleHandoffPoll(delay);
  }

  /** Send ``message``; show ``shown`` as the user's message (null: send without showing). */
  function say(message, shown) {
    const entry = shown === null ? null : addEntry({ who: "user", text: shown, delivery: "queued" });
    state.outbox.push({ message, entry: entry ? entry.id : null });
    save();
    deliver();
  }

  // --- delivery: one message at a time, in order, re-sent until the server answers ----------

  let connection = "online"; // online | offline | connecting | reconnected
  let sending = false;
  let retryTimer = null;
  let failures = 0;
  let reconnectedTimer = null;

  const rasaUrl = () => config.rasaUrl || (ui.rasaUrl || "").replace(/\/+$/, "");

  function metadata() {
    const fields = { language: ui.language, channel: "web" };
    if (config.municipality) fields.municipality = config.municipality;
    return fields;
  }

  /**
   * A signed session (server-issued sender id and its signature, POST /webhooks/rest/session):
   * the REST channel and the staff-reply polling accept nothing else from the widget. True when
   * the state has one; a new one starts a new conversation on the server.
   */
  async function ensureSession() {
    if (state.sender && state.session) return true;
    try {
      const response = await fetch(rasaUrl() + "/webhooks/rest/session", { method: "POST", credentials: "omit" });
      if (!response.ok) return false;
      const answer = await response.json();
      if (typeof answer.sender !== "string" || typeof answer.session !== "string") return false;
      state.sender = answer.sender;
      state.session = answer.session;
      state.handoffAfter = 0;
      save();
      return true;
    } catch (error) {
      return false;
    }
  }

  /** One POST to the REST channel: {replies}, {retry: true} (try again later) or {refused: true}. */
  async function post(message) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(rasaUrl() + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, session: state.session, message, metadata: metadata() }),
        credentials: "omit",
        signal: controller.signal,
      });
      if (response.status === 403) {
        state.session = ""; // not (or no longer) valid here: a new session, then send again
        return { retry: true };
      }
      if (response.status >= 500 || response.status === 408 || response.status === 429) return { retry: true };
      if (!response.ok) return { refused: true }; // a 400 will not get better by sending it again
      const replies = await response.json();
      return Array.isArray(replies) ? { replies } : { retry: true };
    } catch (error) {
      return { retry: true }; // no connection, timeout, or an answer that is not JSON
    } finally {
      clearTimeout(timer);
    }
  }

  function historyEntry(id) {
    return id === null ? null : state.history.find((entry) => entry.id === id) || null;
  }

  function setDelivery(id, delivery) {
    const entry = historyEntry(id);
    if (entry && entry.delivery !== delivery) {
      entry.delivery = delivery;
      updateNote(entry);
    }
  }

  async function deliver() {
    if (sending || !state.outbox.length) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    sending = true;
    const hasSession = await ensureSession();
    const sender = state.sender;
    const item = state.outbox[0];
    if (connection === "offline") showConnection("connecting");
    view.typing.hidden = connection !== "online" && connection !== "reconnected";
    scrollToEnd();
    const outcome = hasSession ? await post(item.message) : { retry: true };
    sending = false;
    view.typing.hidden = true;
    if (state.sender !== sender) return deliver(); // "New conversation" was chosen meanwhile

    if (outcome.retry) {
      for (const waiting of state.outbox) setDelivery(waiting.entry, "pending");
      save();
      showConnection("offline");
      const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)];
      failures += 1;
      retryTimer = setTimeout(deliver, delay);
      return;
    }
    failures = 0;
    state.outbox.shift();
    setDelivery(item.entry, outcome.refused ? "failed" : "sent");
    if (outcome.replies) receive(outcome.replies);
    save();
    if (connection === "offline" || connection === "connecting") showConnection("reconnected");
    deliver();
  }

  function showConnection(next) {
    connection = next;
    clearTimeout(reconnectedTimer);
    const key = { offline: "offline", connecting: "connecting", reconnected: "reconnected" }[next];
    // Never hidden, only collapsed when empty: a live region must stay rendered, or screen
    // readers miss the text that appears in it.
    view.status.textContent = key ? t(key) : "";
    view.status.className = "nw-status nw-status-" + next;
    if (next === "reconnected") reconnectedTimer = setTimeout(() => showConnection("online"), RECONNECTED_NOTICE_MS);
  }

  function watchNetwork() {
    window.addEventListener("offline", () => {
      if (!sending) showConnection("offline");
    });
    window.addEventListener("online", () => {
      failures = 0;
      if (state.outbox.length) deliver();
      else if (connection === "offline") showConnection("reconnected");
    });
  }

  // --- opening, closing, language, starting over --------------------------------------------

  function open(options) {
    const moveFocus = !options || options.focus !== false;
    state.open = true;
    save();
    view.panel.hidden = false;
    view.root.classList.add("nw-open");
    view.bubble.setAttribute("aria-expanded", "true");
    view.bubble.dataset.nwLabel = "close";
    relabel(view.bubble);
    scrollToEnd();
    if (moveFocus) view.input.focus();
    if (!state.greeted) {
      state.greeted = true;
      say("/greet", null);
    }
  }

  function close() {
    state.open = false;
    save();
    view.panel.hidden = true;
    view.root.classList.remove("nw-open");
    view.bubble.setAttribute("aria-expanded", "false");
    view.bubble.dataset.nwLabel = "open";
    relabel(view.bubble);
    view.bubble.focus();
  }

  async function switchLanguage(code) {
    const choice = ui.languages.find((language) => language.code === code);
    if (!choice) return;
    // Without a connection and no copy of that language's strings, the texts stay as they are
    // but the direction changes already; the switch message waits in the queue.
    ui = (await loadStrings(code)) || Object.assign({}, ui, { language: code, dir: choice.dir });
    state.language = ui.language;
    save();
    applyLanguage();
    say("/switch_language" + JSON.stringify({ language: ui.language }), null);
  }

  function restart() {
    clearTimeout(retryTimer);
    clearTimeout(handoffTimer);
    failures = 0;
    if (state.handoff) {
      // Leaving a conversation a person has: give it back to the bot, so nobody answers into
      // a conversation nobody reads any more. Best effort; the ticket can also be closed by staff.
      fetch(rasaUrl() + "/webhooks/rest/webhook", {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
        body: JSON.stringify({ sender: state.sender, session: state.session, message: "/handoff_cancel",
                               metadata: metadata() }),
      }).catch(() => {});
    }
    state = freshState(ui.language);
    save();
    for (const row of view.log.querySelectorAll("[data-entry]")) forgetRow(row);
    showConnection("online");
    open();
  }

  // --- start ------------------------------------------------------------------------------

  async function start() {
    // A newcomer whose browser speaks Arabic or Dari starts in it, even on a Swedish page.
    const wanted = state.language || browserLanguage() || config.language || document.documentElement.lang || "sv";
    for (let delay = 2000; !ui; delay = Math.min(delay * 2, 60000)) {
      ui = await loadStrings(wanted);
      if (!ui) await new Promise((resolve) => setTimeout(resolve, delay)); // the product's server is down
    }
    state.language = ui.language;
    buildWidget();
    for (const entry of state.history) view.log.insertBefore(renderEntry(entry), view.typing);
    applyLanguage();
    document.body.append(view.host);
    watchNetwork();
    if (state.open) open({ focus: false });
    // Fonts (Arabic script, emoji) that arrive after the first layout make the history taller:
    // stay at the latest message.
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(() => { if (state.open) scrollToEnd(); });
    deliver();
    if (state.handoff) pollHandoff(); // a reload while a person has the conversation
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
