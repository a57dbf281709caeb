// The Simulator page: a phone-like chat with the bot through /simulator/api/*.
// Bot text is built from Telegram entities with DOM nodes and textContent: the bot's HTML is
// never injected. The page long-polls /simulator/api/wait and redraws from the whole transcript,
// so edits update bubbles in place and deleted messages disappear.
"use strict";

(() => {
  const root = document.getElementById("simulator");
  if (!root) return;
  const say = root.dataset;
  const transcript = document.getElementById("transcript");
  const status = document.getElementById("status");
  const replyKeyboard = document.getElementById("reply-keyboard");
  const compose = document.getElementById("compose");
  const composeText = document.getElementById("compose-text");
  const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

  let shownSeq = -1;
  let generation = 0; // a new person starts a new generation; older answers are dropped
  const bubbles = new Map(); // message_id -> {element, seq}
  let listening = null; // the AbortController of the pending long poll

  // -- talking to the admin ---------------------------------------------------------------

  async function call(path, payload, signal) {
    const options = { credentials: "same-origin", headers: { Accept: "application/json" }, signal };
    if (payload !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    const response = await fetch("/simulator/api/" + path, options);
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.ok) throw new Error(body.description || String(response.status));
    return body;
  }

  function setStatus(text) {
    status.textContent = text || "";
  }

  async function act(path, payload) {
    const mine = generation;
    setStatus(say.sending);
    try {
      const snapshot = await call(path, payload);
      if (mine === generation) show(snapshot);
      setStatus("");
      return true;
    } catch (error) {
      setStatus(say.failed);
      return false;
    }
  }

  // -- bot text, formatted safely -------------------------------------------------------------

  function safeHref(href) {
    try {
      const url = new URL(href, "https://invalid.example/");
      if ((url.protocol === "https:" || url.protocol === "http:") && /^https?:/i.test(href)) {
        return url.href;
      }
    } catch (error) {
      /* not a URL */
    }
    return null;
  }

  function elementFor(entity, text) {
    const tags = {
      bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
      blockquote: "blockquote", expandable_blockquote: "blockquote", spoiler: "span",
    };
    if (entity.type === "text_link" || entity.type === "url") {
      const raw = entity.type === "url" ? text : entity.url;
      const href = safeHref(entity.type === "url" && !/^https?:/i.test(raw) ? "https://" + raw : raw);
      if (href) {
        const link = document.createElement("a");
        link.href = href;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        return link;
      }
    }
    const element = document.createElement(tags[entity.type] || "span");
    if (entity.type === "spoiler") element.className = "spoiler";
    return element;
  }

  // Entities are sorted and nested; offsets count UTF-16 code units, as JavaScript strings do.
  function build(parent, text, from, to, entities) {
    let position = from;
    let index = 0;
    while (index < entities.length) {
      const entity = entities[index];
      const end = entity.offset + entity.length;
      if (entity.offset < position || end > to) {
        index += 1; // overlapping entities are not nested: keep the text, drop the style
        continue;
      }
      parent.append(text.slice(position, entity.offset));
      const inner = [];
      let next = index + 1;
      while (next < entities.length && entities[next].offset < end) {
        if (entities[next].offset + entities[next].length <= end) inner.push(entities[next]);
        next += 1;
      }
      const element = elementFor(entity, text.slice(entity.offset, end));
      build(element, text, entity.offset, end, inner);
      parent.append(element);
      position = end;
      index = next;
    }
    parent.append(text.slice(position, to));
  }

  function formatted(text, entities) {
    const holder = document.createElement("div");
    holder.className = "text";
    holder.dir = "auto";
    const sorted = (entities || [])
      .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length))
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(holder, text, 0, text.length, sorted);
    return holder;
  }

  // -- one bubble ---------------------------------------------------------------------------

  function line(className, text) {
    const element = document.createElement("p");
    element.dir = document.documentElement.dir || "ltr";
    element.className = className;
    element.textContent = text;
    return element;
  }

  function media(message) {
    const fileUrl = "/simulator/api/files/" + encodeURIComponent(message.file_id || "");
    if (message.kind === "photo") {
      const image = document.createElement("img");
      image.src = fileUrl;
      image.alt = say.photo;
      image.loading = "lazy";
      // A picture grows its bubble once loaded; keep the newest message in view if it was.
      const atBottom = () =>
        transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 240;
      image.addEventListener("load", () => {
        if (atBottom()) transcript.scrollTop = transcript.scrollHeight;
      });
      return image;
    }
    if (message.kind === "location" && message.location) {
      const { latitude, longitude } = message.location;
      return line("media-note", "📍 " + say.location + ": " + latitude + ", " + longitude);
    }
    if (message.kind === "contact" && message.contact) {
      return line("media-note", "👤 " + say.contact + ": " + (message.contact.first_name || ""));
    }
    if (message.kind === "document") {
      const link = document.createElement("a");
      link.href = fileUrl;
      link.textContent = "📄 " + (message.file_name || say.file);
      return link;
    }
    if (message.kind !== "text") return line("media-note", say.other + " (" + message.kind + ")");
    return null;
  }

  function inlineKeyboard(message) {
    const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
    if (!rows.length || message.from !== "bot") return null;
    const keyboard = document.createElement("div");
    keyboard.className = "inline-keyboard";
    keyboard.setAttribute("role", "group");
    for (const row of rows) {
      const rowElement = document.createElement("div");
      rowElement.className = "keyboard-row";
      for (const button of row) {
        const href = button.url ? safeHref(button.url) : null;
        let control;
        if (href) {
          control = document.createElement("a");
          control.href = href;
          control.rel = "noopener noreferrer";
          control.target = "_blank";
          control.className = "key";
        } else {
          control = document.createElement("button");
          control.type = "button";
          control.className = "key";
          if (typeof button.callback_data === "string") {
            control.addEventListener("click", () =>
              act("press", { message_id: message.message_id, data: button.callback_data }),
            );
          } else {
            control.disabled = true;
          }
        }
        control.dir = "auto";
        control.textContent = button.text;
        rowElement.append(control);
      }
      keyboard.append(rowElement);
    }
    return keyboard;
  }

  function bubble(message) {
    const item = document.createElement("li");
    const fromBot = message.from === "bot";
    item.className = "bubble " + (fromBot ? "from-bot" : "from-user");
    item.dir = "auto";
    item.dataset.messageId = String(message.message_id);
    // The bubble's own dir="auto" follows the message text: the interface's words inside it
    // carry the page's direction explicitly, so the browser skips them when it decides.
    const pageDir = document.documentElement.dir || "ltr";
    const who = document.createElement("span");
    who.dir = pageDir;
    who.className = "visually-hidden";
    who.textContent = fromBot ? say.bot : say.you;
    item.append(who);
    const attached = media(message);
    if (attached) item.append(attached);
    const text = message.text !== undefined ? message.text : message.caption;
    if (text) item.append(formatted(text, message.entities));
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.dir = pageDir;
    const time = new Date(message.date * 1000);
    meta.textContent = time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (message.edited) meta.textContent += " · " + say.edited;
    item.append(meta);
    const keyboard = inlineKeyboard(message);
    if (keyboard) item.append(keyboard);
    return item;
  }

  // -- the whole chat ---------------------------------------------------------------------------

  function showReplyKeyboard(markup) {
    replyKeyboard.replaceChildren();
    const rows = (markup && markup.keyboard) || [];
    replyKeyboard.hidden = rows.length === 0;
    for (const row of rows) {
      const rowElement = document.createElement("div");
      rowElement.className = "keyboard-row";
      for (const button of row) {
        const label = typeof button === "string" ? button : button.text;
        const control = document.createElement("button");
        control.type = "button";
        control.className = "key";
        control.dir = "auto";
        control.textContent = label;
        control.addEventListener("click", () => {
          if (button.request_location) {
            document.querySelector(".extras").open = true;
            document.getElementById("latitude").focus();
          } else {
            act("send", { text: label });
          }
        });
        rowElement.append(control);
      }
      replyKeyboard.append(rowElement);
    }
  }

  function show(snapshot) {
    if (typeof snapshot.seq !== "number" || snapshot.seq < shownSeq) return;
    shownSeq = snapshot.seq;
    const present = new Set();
    let added = false;
    for (const message of snapshot.messages || []) {
      present.add(message.message_id);
      const known = bubbles.get(message.message_id);
      if (known && known.seq === message.seq) continue;
      const element = bubble(message);
      if (known) {
        known.element.replaceWith(element);
      } else {
        transcript.append(element);
        added = true;
      }
      bubbles.set(message.message_id, { element, seq: message.seq });
    }
    for (const [messageId, known] of bubbles) {
      if (!present.has(messageId)) {
        known.element.remove();
        bubbles.delete(messageId);
      }
    }
    showReplyKeyboard(snapshot.keyboard);
    if (added) transcript.scrollTop = transcript.scrollHeight;
  }

  async function listen() {
    for (;;) {
      const mine = generation;
      listening = new AbortController();
      try {
        const since = Math.max(shownSeq, 0);
        const snapshot = await call("wait?since=" + since, undefined, listening.signal);
        if (mine === generation) show(snapshot);
        if (status.textContent === say.failed) setStatus("");
      } catch (error) {
        if (error.name === "AbortError") continue; // a new person: ask again at once
        setStatus(say.failed);
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    }
  }

  // -- what the person does ---------------------------------------------------------------------

  compose.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = composeText.value;
    if (!text.trim()) return;
    composeText.value = "";
    if (!(await act("send", { text }))) composeText.value = text;
    composeText.focus();
  });

  document.getElementById("photo-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("photo-file");
    const caption = document.getElementById("photo-caption");
    const chosen = input.files && input.files[0];
    if (!chosen) return;
    if (chosen.size > MAX_PHOTO_BYTES) {
      setStatus(say.tooBig);
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", async () => {
      const base64 = String(reader.result).split(",", 2)[1] || "";
      if (await act("send", { photo: base64, caption: caption.value })) {
        input.value = "";
        caption.value = "";
      }
    });
    reader.readAsDataURL(chosen);
  });

  document.getElementById("location-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const latitude = Number(document.getElementById("latitude").value);
    const longitude = Number(document.getElementById("longitude").value);
    act("send", { location: { latitude, longitude } });
  });

  document.getElementById("new-person").addEventListener("click", async () => {
    try {
      await call("new", {});
    } catch (error) {
      setStatus(say.failed);
      return;
    }
    generation += 1;
    if (listening) listening.abort();
    shownSeq = -1;
    bubbles.clear();
    transcript.replaceChildren();
    showReplyKeyboard(null);
    setStatus(say.started);
    composeText.focus();
  });

  call("messages")
    .then(show)
    .catch(() => setStatus(say.failed))
    .finally(listen);
})();
