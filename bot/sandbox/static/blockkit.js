/* Block Kit, rendered the way Slack's client shows it, from the JSON the app sent.
 *
 *   BlockKit.render(blocks, ctx)  -> a DocumentFragment
 *   BlockKit.mrkdwn(text, ctx)    -> HTML for Slack's mrkdwn
 *   BlockKit.collect(root)        -> {block_id: {action_id: answer}} of the inputs under root
 *   BlockKit.validate(root)       -> {block_id: message}: what Slack's client refuses to submit
 *
 * ctx: {people: {id: person}, channels: {id: channel}, tz: "Europe/Lisbon", now: Date,
 *       errors: {block_id: message}, conversations: [...],
 *       onAction(blockId, element, selected)}  (selected: option value(s), id(s) or date)
 *
 * Nothing is fetched: images show their alt text, since the page works offline.
 */
(function () {
  "use strict";

  /* SUPPORTED-BEGIN */
  const SUPPORTED = {
    "blocks": ["section", "header", "divider", "context", "actions", "input", "image", "rich_text", "markdown"],
    "elements": [
      "button", "static_select", "external_select", "users_select", "conversations_select", "channels_select",
      "multi_static_select", "multi_external_select", "multi_users_select", "multi_conversations_select",
      "multi_channels_select", "overflow", "datepicker", "timepicker", "datetimepicker", "checkboxes",
      "radio_buttons", "plain_text_input", "email_text_input", "url_text_input", "number_input",
      "rich_text_input", "image"
    ]
  };
  /* SUPPORTED-END */

  const EMOJI = {
    wave: "👋", handshake: "🤝", seedling: "🌱", tada: "🎉", white_check_mark: "✅", speech_balloon: "💬",
    hourglass_flowing_sand: "⏳", hourglass: "⌛", double_vertical_bar: "⏸️", arrow_forward: "▶️",
    fast_forward: "⏩", wastebasket: "🗑️", package: "📦", muscle: "💪", memo: "📝", lock: "🔒",
    leaves: "🍃", incoming_envelope: "📨", gift: "🎁", bulb: "💡", bar_chart: "📊",
    arrows_counterclockwise: "🔄", calendar: "📅", spiral_calendar_pad: "🗓️", star: "⭐", sparkles: "✨",
    heart: "❤️", thumbsup: "👍", "+1": "👍", thinking_face: "🤔", smile: "😄", slightly_smiling_face: "🙂",
    raised_hands: "🙌", pray: "🙏", warning: "⚠️", x: "❌", question: "❓", information_source: "ℹ️",
    bell: "🔔", mailbox_with_mail: "📬", busts_in_silhouette: "👥", bust_in_silhouette: "👤",
    people_holding_hands: "🧑‍🤝‍🧑", clipboard: "📋", pencil: "✏️", pencil2: "✏️", mag: "🔍",
    eyes: "👀", rocket: "🚀", trophy: "🏆", clock1: "🕐", coffee: "☕", books: "📚", book: "📖",
    compass: "🧭", dart: "🎯", chart_with_upwards_trend: "📈", no_entry_sign: "🚫", shield: "🛡️",
    zzz: "💤", sun_with_face: "🌞", palm_tree: "🌴", heavy_check_mark: "✔️", point_right: "👉",
    raising_hand: "🙋", ok_hand: "👌", clap: "👏", bow: "🙇", mute: "🔇", bookmark: "🔖", link: "🔗",
    envelope: "✉️", telephone_receiver: "📞", video_camera: "📹", writing_hand: "✍️", gear: "⚙️"
  };

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "html") node.innerHTML = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function emojify(html) {
    return html.replace(/:([a-z0-9_+\-]+):/g, (whole, name) => (EMOJI[name] ? EMOJI[name] : whole));
  }

  // ---------------------------------------------------------------- dates (<!date^…>)

  const ORDINAL = (n) => n + (n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th");

  function parts(date, tz) {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: tz || "UTC", weekday: "long", year: "numeric", month: "long", day: "numeric",
      hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true
    });
    const out = {};
    for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
    return out;
  }

  function dayKey(date, tz) {
    const p = parts(date, tz);
    return `${p.year}-${p.month}-${p.day}`;
  }

  function formatDate(seconds, format, tz, now) {
    const date = new Date(seconds * 1000);
    const p = parts(date, tz);
    const monthShort = p.month.slice(0, 3);
    const day = Number(p.day);
    const num = new Intl.DateTimeFormat("en-CA", { timeZone: tz || "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
    const pretty = (fallback) => {
      const today = now || new Date();
      const key = dayKey(date, tz);
      if (key === dayKey(today, tz)) return "Today";
      if (key === dayKey(new Date(today.getTime() - 86400000), tz)) return "Yesterday";
      if (key === dayKey(new Date(today.getTime() + 86400000), tz)) return "Tomorrow";
      return fallback;
    };
    const long = `${p.weekday}, ${p.month} ${ORDINAL(day)}, ${p.year}`;
    const plain = `${p.month} ${ORDINAL(day)}, ${p.year}`;
    const short = `${monthShort} ${day}, ${p.year}`;
    const ago = () => {
      const diff = Math.round(((now || new Date()).getTime() - date.getTime()) / 1000);
      const abs = Math.abs(diff);
      const unit = abs < 3600 ? [Math.round(abs / 60), "minute"] : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
      const text = `${unit[0]} ${unit[1]}${unit[0] === 1 ? "" : "s"}`;
      return diff >= 0 ? `${text} ago` : `in ${text}`;
    };
    const tokens = {
      date_num: num, date: plain, date_short: short, date_long: long,
      date_pretty: pretty(plain), date_short_pretty: pretty(short), date_long_pretty: pretty(long),
      time: `${p.hour}:${p.minute} ${p.dayPeriod}`, time_secs: `${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`,
      ago: ago()
    };
    return format.replace(/\{(\w+)\}/g, (whole, name) => (name in tokens ? tokens[name] : whole));
  }

  // ---------------------------------------------------------------- mrkdwn

  function unescapeSlack(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function personName(ctx, id) {
    const person = (ctx.people || {})[id];
    return person ? person.real_name || person.name : id;
  }

  function special(token, ctx) {
    // token: what was between < and > (already free of the brackets)
    const [target, label] = splitOnce(token, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return `<span class="bk-mention" data-user="${escapeHtml(id)}">@${escapeHtml(label || personName(ctx, id))}</span>`;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const channel = (ctx.channels || {})[id];
      return `<span class="bk-mention bk-channel" data-channel="${escapeHtml(id)}">#${escapeHtml(label || (channel ? channel.name : id))}</span>`;
    }
    if (target.startsWith("!subteam^")) {
      const id = target.slice("!subteam^".length);
      return `<span class="bk-mention">${escapeHtml(label || "@" + id)}</span>`;
    }
    if (target === "!here" || target === "!channel" || target === "!everyone") {
      return `<span class="bk-mention">@${target.slice(1)}</span>`;
    }
    if (target.startsWith("!date^")) {
      const pieces = target.split("^");
      const seconds = Number(pieces[1]);
      const format = pieces[2] || "{date}";
      if (!Number.isFinite(seconds)) return escapeHtml(label || "");
      const text = formatDate(seconds, format, ctx.tz, ctx.now);
      return `<time datetime="${new Date(seconds * 1000).toISOString()}" title="${escapeHtml(label || "")}">${escapeHtml(text)}</time>`;
    }
    if (/^(https?:|mailto:)/.test(target)) {
      return `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">${escapeHtml(unescapeSlack(label || target))}</a>`;
    }
    return escapeHtml(unescapeSlack(label || target));
  }

  function splitOnce(text, sep) {
    const at = text.indexOf(sep);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  function inlineFormat(html) {
    const edge = "(^|[\\s(\\u0000\\[{\"'])";
    const end = "(?=$|[\\s.,!?;:)\\]}\"'\\u0000])";
    html = html.replace(new RegExp(edge + "\\*([^*\\n]+?)\\*" + end, "g"), "$1<b>$2</b>");
    html = html.replace(new RegExp(edge + "_([^_\\n]+?)_" + end, "g"), "$1<i>$2</i>");
    html = html.replace(new RegExp(edge + "~([^~\\n]+?)~" + end, "g"), "$1<s>$2</s>");
    return html;
  }

  function mrkdwn(text, ctx) {
    ctx = ctx || {};
    const stash = [];
    const keep = (html) => `\u0000${stash.push(html) - 1}\u0000`;
    let src = String(text || "");
    // Code first: nothing inside is formatted.
    src = src.replace(/```([\s\S]*?)```/g, (whole, code) => keep(`<pre class="bk-pre">${escapeHtml(unescapeSlack(code.replace(/^\n/, "")))}</pre>`));
    src = src.replace(/`([^`\n]+)`/g, (whole, code) => keep(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
    src = src.replace(/<([^<>\n]+)>/g, (whole, token) => keep(special(token, ctx)));
    let html = escapeHtml(unescapeSlack(src));
    html = inlineFormat(html);
    html = emojify(html);
    // Block quotes: lines starting with ">".
    html = html.split("\n").map((line) => (line.startsWith("&gt; ") || line === "&gt;" ? `<span class="bk-quote">${line.replace(/^&gt; ?/, "")}</span>` : line)).join("\n");
    html = html.replace(/\n/g, "<br>");
    return html.replace(/\u0000(\d+)\u0000/g, (whole, n) => stash[Number(n)]);
  }

  function textHtml(obj, ctx) {
    if (!obj) return "";
    if (typeof obj === "string") return escapeHtml(obj);
    if (obj.type === "mrkdwn") return obj.verbatim ? escapeHtml(unescapeSlack(obj.text || "")).replace(/\n/g, "<br>") : mrkdwn(obj.text, ctx);
    const plain = escapeHtml(obj.text || "").replace(/\n/g, "<br>");
    return obj.emoji === false ? plain : emojify(plain);
  }

  function plain(obj) {
    if (!obj) return "";
    return typeof obj === "string" ? obj : String(obj.text || "");
  }

  function plainEmoji(obj) {
    const div = document.createElement("div");
    div.innerHTML = textHtml(obj, {});
    return div.textContent;
  }

  // ---------------------------------------------------------------- blocks

  function render(blocks, ctx) {
    ctx = ctx || {};
    const fragment = document.createDocumentFragment();
    for (const block of blocks || []) fragment.append(renderBlock(block, ctx));
    return fragment;
  }

  function renderBlock(block, ctx) {
    const wrap = el("div", { class: `bk-block bk-${block.type}`, "data-block-id": block.block_id || "", "data-type": block.type });
    switch (block.type) {
      case "section": {
        const body = el("div", { class: "bk-section-body" });
        if (block.text) body.append(el("div", { class: "bk-text", html: textHtml(block.text, ctx) }));
        if (block.fields && block.fields.length) {
          body.append(el("div", { class: "bk-fields" }, block.fields.map((f) => el("div", { class: "bk-field", html: textHtml(f, ctx) }))));
        }
        wrap.append(body);
        if (block.accessory) wrap.append(el("div", { class: "bk-accessory" }, renderElement(block.accessory, block, ctx, { label: plainEmoji(block.text) })));
        break;
      }
      case "header":
        wrap.append(el("h3", { class: "bk-header-text", html: textHtml(block.text, ctx) }));
        break;
      case "divider":
        wrap.append(el("hr"));
        break;
      case "context":
        for (const item of block.elements || []) {
          if (item.type === "image") wrap.append(imagePlaceholder(item, "bk-context-image"));
          else wrap.append(el("span", { class: "bk-context-text", html: textHtml(item, ctx) }));
        }
        break;
      case "actions":
        for (const element of block.elements || []) wrap.append(renderElement(element, block, ctx, {}));
        break;
      case "input":
        wrap.append(renderInput(block, ctx));
        break;
      case "image":
        if (block.title) wrap.append(el("div", { class: "bk-image-title", html: textHtml(block.title, ctx) }));
        wrap.append(imagePlaceholder(block, "bk-image-box"));
        break;
      case "rich_text":
        wrap.append(renderRichText(block.elements || [], ctx));
        break;
      case "markdown":
        wrap.append(el("div", { class: "bk-text", html: mrkdwn(block.text || "", ctx) }));
        break;
      default:
        wrap.classList.add("bk-unsupported");
        wrap.append(`This block (${block.type}) can't be shown in the sandbox.`);
    }
    return wrap;
  }

  function imagePlaceholder(item, cls) {
    return el("span", { class: cls, role: "img", "aria-label": item.alt_text || "image", title: item.alt_text || "" }, "🖼 " + (item.alt_text || "image"));
  }

  function renderRichText(elements, ctx) {
    const root = el("div", { class: "bk-rich" });
    const inline = (items) => items.map((item) => {
      if (item.type === "text") {
        let node = el("span", { text: item.text });
        const s = item.style || {};
        if (s.code) node = el("code", {}, node);
        if (s.bold) node = el("b", {}, node);
        if (s.italic) node = el("i", {}, node);
        if (s.strike) node = el("s", {}, node);
        return node;
      }
      if (item.type === "link") return el("a", { href: item.url, target: "_blank", rel: "noopener noreferrer" }, item.text || item.url);
      if (item.type === "user") return el("span", { class: "bk-mention" }, "@" + personName(ctx, item.user_id));
      if (item.type === "channel") return el("span", { class: "bk-mention" }, "#" + (((ctx.channels || {})[item.channel_id] || {}).name || item.channel_id));
      if (item.type === "emoji") return el("span", {}, EMOJI[item.name] || `:${item.name}:`);
      if (item.type === "date") return el("time", {}, formatDate(item.timestamp, item.format || "{date}", ctx.tz, ctx.now));
      return el("span", {}, item.text || "");
    });
    for (const part of elements) {
      if (part.type === "rich_text_section") root.append(el("div", {}, inline(part.elements || [])));
      else if (part.type === "rich_text_preformatted") root.append(el("pre", { class: "bk-pre" }, inline(part.elements || [])));
      else if (part.type === "rich_text_quote") root.append(el("blockquote", {}, inline(part.elements || [])));
      else if (part.type === "rich_text_list") {
        const list = el(part.style === "ordered" ? "ol" : "ul");
        for (const item of part.elements || []) list.append(el("li", {}, inline(item.elements || [])));
        root.append(list);
      }
    }
    return root;
  }

  // ---------------------------------------------------------------- inputs

  function renderInput(block, ctx) {
    const element = block.element || {};
    const id = nextId("in");
    const frag = document.createDocumentFragment();
    const label = el("label", { class: "bk-label", for: id }, plainEmoji(block.label));
    if (block.optional) label.append(el("span", { class: "bk-optional" }, " (optional)"));
    frag.append(label);
    const field = renderElement(element, block, ctx, { id, label: plain(block.label), input: true });
    frag.append(field);
    if (block.hint) frag.append(el("div", { class: "bk-hint", html: textHtml(block.hint, ctx) }));
    const error = (ctx.errors || {})[block.block_id];
    frag.append(el("div", { class: "bk-error", role: "alert", hidden: !error }, error || ""));
    return frag;
  }

  function optionsOf(element) {
    const out = [...(element.options || [])];
    for (const group of element.option_groups || []) out.push(...(group.options || []));
    return out;
  }

  function optionNodes(element, chosen) {
    const make = (o) => el("option", { value: o.value, selected: chosen.includes(o.value) }, plainEmoji(o.text));
    if (element.option_groups) {
      return element.option_groups.map((g) => el("optgroup", { label: plain(g.label) }, (g.options || []).map(make)));
    }
    return (element.options || []).map(make);
  }

  function peopleChoices(ctx, filter) {
    return Object.values(ctx.people || {})
      .filter((p) => !p.is_bot && !(filter && filter.exclude_bot_users && p.is_bot))
      .sort((a, b) => (a.real_name || a.name).localeCompare(b.real_name || b.name))
      .map((p) => ({ value: p.id, text: p.real_name || p.name }));
  }

  function conversationChoices(ctx, element) {
    const include = (element.filter && element.filter.include) || null;
    const out = [];
    for (const c of Object.values(ctx.channels || {})) {
      const kind = c.is_private ? "private" : "public";
      if (include && !include.includes(kind)) continue;
      if (c.is_archived) continue;
      out.push({ value: c.id, text: (c.is_private ? "🔒 " : "# ") + c.name });
    }
    if (!element.type.includes("channels") && (!include || include.includes("im") || include.includes("mpim"))) {
      for (const conv of ctx.conversations || []) {
        if (conv.kind === "channel") continue;
        if (include && !include.includes(conv.kind)) continue;
        const names = conv.members.filter((m) => m !== ctx.me).map((m) => personName(ctx, m));
        out.push({ value: conv.id, text: conv.kind === "im" ? "Peer Mentor" : names.join(", ") });
      }
    }
    return out.sort((a, b) => a.text.localeCompare(b.text));
  }

  function choicesFor(element, ctx) {
    const type = element.type;
    if (type.includes("users_select")) return peopleChoices(ctx, element.filter);
    if (type.includes("conversations_select") || type.includes("channels_select")) return conversationChoices(ctx, element);
    return optionsOf(element).map((o) => ({ value: o.value, text: plainEmoji(o.text), description: o.description }));
  }

  function initialValues(element) {
    const t = element.type;
    if (t === "multi_users_select") return element.initial_users || [];
    if (t === "multi_conversations_select") return element.initial_conversations || [];
    if (t === "multi_channels_select") return element.initial_channels || [];
    if (t === "users_select") return element.initial_user ? [element.initial_user] : [];
    if (t === "conversations_select") return element.initial_conversation ? [element.initial_conversation] : [];
    if (t === "channels_select") return element.initial_channel ? [element.initial_channel] : [];
    if (element.initial_options) return element.initial_options.map((o) => o.value);
    if (element.initial_option) return [element.initial_option.value];
    return [];
  }

  function renderElement(element, block, ctx, opts) {
    const type = element.type;
    const act = (selected) => ctx.onAction && ctx.onAction(block.block_id, element, selected);
    // Inside an input block an element's changes are only its state, unless dispatch_action.
    const dispatches = !opts.input || block.dispatch_action;
    const common = { "data-action-id": element.action_id || "", "data-type": type, class: "bk-element" };
    switch (type) {
      case "button": {
        const cls = `bk-button${element.style ? " bk-" + element.style : ""}`;
        return el("button", {
          ...common, class: `bk-element ${cls}`, type: "button", title: element.accessibility_label || undefined,
          onclick: () => {
            if (element.url) window.open(element.url, "_blank", "noopener");
            confirmThen(element.confirm, ctx, () => act(null));
          }
        }, plainEmoji(element.text));
      }
      case "workflow_button":
        return el("button", { ...common, type: "button", disabled: true }, plainEmoji(element.text));
      case "overflow": {
        const select = el("select", { ...common, class: "bk-element bk-overflow", "aria-label": opts.label || "More actions" },
          el("option", { value: "" }, "⋯"), optionsOf(element).map((o) => el("option", { value: o.value }, plainEmoji(o.text))));
        select.addEventListener("change", () => {
          const value = select.value;
          const option = optionsOf(element).find((o) => o.value === value);
          select.value = "";
          if (value) confirmThen(element.confirm, ctx, () => act(value), option);
        });
        return select;
      }
      case "static_select": case "external_select": case "users_select": case "conversations_select": case "channels_select": {
        const chosen = initialValues(element);
        const select = el("select", { ...common, id: opts.id, "aria-label": opts.input ? undefined : (opts.label || plain(element.placeholder)) },
          el("option", { value: "" }, plain(element.placeholder) || "Select an item"),
          type === "static_select" || type === "external_select"
            ? optionNodes(element, chosen)
            : choicesFor(element, ctx).map((c) => el("option", { value: c.value, selected: chosen.includes(c.value) }, c.text)));
        if (dispatches) select.addEventListener("change", () => { if (select.value) confirmThen(element.confirm, ctx, () => act(select.value)); });
        return select;
      }
      case "multi_static_select": case "multi_external_select": case "multi_users_select":
      case "multi_conversations_select": case "multi_channels_select":
        return multiSelect(element, ctx, opts, dispatches ? act : null, common);
      case "checkboxes": case "radio_buttons": {
        const chosen = initialValues(element);
        const group = el("div", { ...common, class: `bk-element bk-${type}`, role: type === "radio_buttons" ? "radiogroup" : "group", id: opts.id, "aria-label": opts.label || "" });
        const name = nextId("group");
        for (const o of optionsOf(element)) {
          const id = nextId("opt");
          const box = el("input", { type: type === "checkboxes" ? "checkbox" : "radio", id, name, value: o.value, checked: chosen.includes(o.value) });
          if (dispatches) box.addEventListener("change", () => act(type === "checkboxes" ? checkedValues(group) : o.value));
          group.append(el("div", { class: "bk-choice" }, box, el("label", { for: id },
            el("span", { html: textHtml(o.text, ctx) }),
            o.description ? el("span", { class: "bk-choice-description", html: textHtml(o.description, ctx) }) : null)));
        }
        return group;
      }
      case "datepicker": case "timepicker": case "datetimepicker": {
        const kinds = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local" };
        let value = element.initial_date || element.initial_time || "";
        if (type === "datetimepicker" && element.initial_date_time) value = localDateTime(element.initial_date_time, ctx.tz);
        const input = el("input", { ...common, id: opts.id, type: kinds[type], value, "aria-label": opts.input ? undefined : (opts.label || plain(element.placeholder)) });
        if (dispatches) input.addEventListener("change", () => act(readPicker(input, type, ctx)));
        return input;
      }
      case "plain_text_input": case "email_text_input": case "url_text_input": case "number_input": case "rich_text_input": {
        const multiline = element.multiline || type === "rich_text_input";
        const attrs = {
          ...common, id: opts.id, placeholder: plain(element.placeholder) || undefined,
          "data-min-length": element.min_length, "data-max-length": element.max_length
        };
        let input;
        if (multiline) {
          input = el("textarea", { ...attrs, rows: 3 });
          input.value = type === "rich_text_input" ? richTextToPlain(element.initial_value) : element.initial_value || "";
        } else {
          const kind = { email_text_input: "email", url_text_input: "url", number_input: "number" }[type] || "text";
          input = el("input", {
            ...attrs, type: kind, value: element.initial_value || "",
            min: element.min_value, max: element.max_value, step: type === "number_input" ? (element.is_decimal_allowed ? "any" : "1") : undefined
          });
        }
        if (dispatches) {
          input.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && !event.shiftKey && !multiline) { event.preventDefault(); act(input.value || null); }
          });
        }
        return input;
      }
      case "image":
        return imagePlaceholder(element, "bk-accessory-image");
      case "file_input":
        return el("div", { ...common, class: "bk-element bk-unsupported" }, "File uploads aren't available in the sandbox.");
      default:
        return el("span", { ...common, class: "bk-element bk-unsupported" }, `This element (${type}) can't be shown in the sandbox.`);
    }
  }

  function multiSelect(element, ctx, opts, act, common) {
    const choices = choicesFor(element, ctx);
    const chosen = initialValues(element).filter((v) => choices.some((c) => c.value === v));
    const wrap = el("div", { ...common, class: "bk-element bk-multi" });
    const chips = el("div", { class: "bk-chips" });
    const adder = el("select", { id: opts.id, class: "bk-multi-adder", "aria-label": opts.input ? undefined : (opts.label || plain(element.placeholder)) });
    const limit = element.max_selected_items;
    const redraw = () => {
      chips.replaceChildren(...wrap._values.map((value) => {
        const choice = choices.find((c) => c.value === value);
        return el("span", { class: "bk-chip", "data-value": value }, choice ? choice.text : value,
          el("button", { type: "button", class: "bk-chip-remove", "aria-label": `Remove ${choice ? choice.text : value}`, onclick: () => {
            wrap._values = wrap._values.filter((v) => v !== value); redraw(); if (act) act([...wrap._values]);
          } }, "×"));
      }));
      const full = limit && wrap._values.length >= limit;
      adder.replaceChildren(
        el("option", { value: "" }, full ? `At most ${limit}` : plain(element.placeholder) || "Select items"),
        ...choices.filter((c) => !wrap._values.includes(c.value)).map((c) => el("option", { value: c.value, disabled: full }, c.text)));
      adder.value = "";
    };
    adder.addEventListener("change", () => {
      if (!adder.value) return;
      if (!limit || wrap._values.length < limit) wrap._values.push(adder.value);
      redraw();
      if (act) act([...wrap._values]);
    });
    wrap._values = chosen;
    wrap.append(chips, adder);
    redraw();
    return wrap;
  }

  function checkedValues(group) {
    return [...group.querySelectorAll("input:checked")].map((b) => b.value);
  }

  function localDateTime(seconds, tz) {
    const p = new Intl.DateTimeFormat("en-CA", { timeZone: tz || "UTC", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false }).formatToParts(new Date(seconds * 1000));
    const o = {};
    for (const x of p) o[x.type] = x.value;
    return `${o.year}-${o.month}-${o.day}T${o.hour === "24" ? "00" : o.hour}:${o.minute}`;
  }

  function readPicker(input, type, ctx) {
    if (!input.value) return null;
    if (type !== "datetimepicker") return input.value;
    // The person's local wall time in their own zone, as epoch seconds.
    const [d, t] = input.value.split("T");
    const guess = Date.parse(`${d}T${t}:00Z`) / 1000;
    const shown = localDateTime(guess, ctx.tz);
    const drift = (Date.parse(`${shown}:00Z`) / 1000) - guess;
    return Math.round(guess - drift);
  }

  function richTextToPlain(value) {
    if (!value || !value.elements) return "";
    return value.elements.map((s) => (s.elements || []).map((e) => e.text || "").join("")).join("\n");
  }

  function plainToRichText(text) {
    return { type: "rich_text", elements: [{ type: "rich_text_section", elements: text ? [{ type: "text", text }] : [] }] };
  }

  // ---------------------------------------------------------------- confirm dialogs

  function confirmThen(confirm, ctx, go) {
    if (!confirm) return go();
    const root = document.getElementById("dialog-root") || document.body;
    const close = () => overlay.remove();
    const overlay = el("div", { class: "bk-confirm-overlay" },
      el("div", { class: "bk-confirm", role: "alertdialog", "aria-modal": "true", "aria-label": plain(confirm.title) || "Are you sure?" },
        el("h3", {}, plainEmoji(confirm.title) || "Are you sure?"),
        el("div", { class: "bk-text", html: textHtml(confirm.text, ctx) }),
        el("div", { class: "bk-confirm-buttons" },
          el("button", { type: "button", class: "bk-button", onclick: close }, plain(confirm.deny) || "Cancel"),
          el("button", { type: "button", class: `bk-button ${confirm.style === "danger" ? "bk-danger" : "bk-primary"}`, onclick: () => { close(); go(); } }, plain(confirm.confirm) || "Yes"))));
    root.append(overlay);
    overlay.querySelector(".bk-confirm-buttons button:last-child").focus();
  }

  // ---------------------------------------------------------------- reading the inputs back

  function readElement(node, ctx) {
    const type = node.dataset.type;
    switch (type) {
      case "plain_text_input": case "email_text_input": case "url_text_input": case "number_input":
        return node.value === "" ? null : node.value;
      case "rich_text_input":
        return plainToRichText(node.value);
      case "static_select": case "external_select": case "users_select": case "conversations_select": case "channels_select":
        return node.value || null;
      case "multi_static_select": case "multi_external_select": case "multi_users_select":
      case "multi_conversations_select": case "multi_channels_select":
        return [...(node._values || [])];
      case "checkboxes":
        return checkedValues(node);
      case "radio_buttons": {
        const on = node.querySelector("input:checked");
        return on ? on.value : null;
      }
      case "datepicker": case "timepicker": case "datetimepicker":
        return readPicker(node, type, ctx || {});
      default:
        return undefined;
    }
  }

  function collect(root, ctx) {
    const answers = {};
    for (const block of root.querySelectorAll(".bk-block[data-block-id]")) {
      const node = block.querySelector(":scope > .bk-element, :scope > .bk-accessory > .bk-element");
      if (!node || !node.dataset.actionId) continue;
      const value = readElement(node, ctx);
      if (value === undefined || node.dataset.type === "button" || node.dataset.type === "overflow") continue;
      if (block.dataset.type !== "input") continue;  // state comes from input blocks
      (answers[block.dataset.blockId] = answers[block.dataset.blockId] || {})[node.dataset.actionId] = value;
    }
    return answers;
  }

  function isEmpty(value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)
      || (value && value.type === "rich_text" && !richTextToPlain(value).trim());
  }

  function validate(root, view, ctx) {
    // What Slack's own client checks before it sends a view_submission.
    const errors = {};
    const blocks = Object.fromEntries(((view && view.blocks) || []).map((b) => [b.block_id, b]));
    for (const wrap of root.querySelectorAll(".bk-block.bk-input[data-block-id]")) {
      const block = blocks[wrap.dataset.blockId];
      const node = wrap.querySelector(":scope > .bk-element");
      if (!block || !node) continue;
      const value = readElement(node, ctx);
      const element = block.element || {};
      if (isEmpty(value)) {
        if (!block.optional) errors[block.block_id] = "Please complete this required field.";
        continue;
      }
      if (typeof value === "string") {
        const length = [...value].length;
        if (element.min_length && length < element.min_length) errors[block.block_id] = `Please enter at least ${element.min_length} characters.`;
        if (element.max_length && length > element.max_length) errors[block.block_id] = `Please enter ${element.max_length} characters or fewer (this has ${length}).`;
        if (element.type === "number_input") {
          const n = Number(value);
          if (!Number.isFinite(n) || (!element.is_decimal_allowed && !Number.isInteger(n))) errors[block.block_id] = element.is_decimal_allowed ? "Please enter a number." : "Please enter a whole number.";
          else if (element.min_value !== undefined && n < Number(element.min_value)) errors[block.block_id] = `Please enter a number of at least ${element.min_value}.`;
          else if (element.max_value !== undefined && n > Number(element.max_value)) errors[block.block_id] = `Please enter a number no greater than ${element.max_value}.`;
        }
        if (element.type === "email_text_input" && !/^[^\s@]+@[^\s@]+$/.test(value)) errors[block.block_id] = "Please enter a valid email address.";
      }
    }
    return errors;
  }

  function showErrors(root, errors) {
    for (const wrap of root.querySelectorAll(".bk-block.bk-input[data-block-id]")) {
      const box = wrap.querySelector(":scope > .bk-error");
      const message = (errors || {})[wrap.dataset.blockId];
      if (!box) continue;
      box.textContent = message || "";
      box.hidden = !message;
      wrap.classList.toggle("bk-has-error", Boolean(message));
    }
  }

  window.BlockKit = { SUPPORTED, render, mrkdwn, textHtml, plain, plainEmoji, collect, validate, showErrors, formatDate, escapeHtml, emojify };
})();
