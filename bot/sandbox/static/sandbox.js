/* The sandbox page: a person's Slack, driven through the sandbox's JSON API.
 * Everything the app shows comes from the emulator (GET /sandbox/api/screen); everything the
 * person does goes to the app as Slack would send it (POST /sandbox/api/…).
 */
(function () {
  "use strict";
  const BK = window.BlockKit;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 500;

  const S = {
    user: null,
    screen: null,
    etag: null,
    offsetMs: 0,
    view: { kind: "app", tab: "home", id: null },  // kind: "app" | "conv"
    modalKey: null,
    modalCache: new Map(),  // "user:view_id:hash" -> the rendered modal, with what was typed
    homeKey: null,
    paneKey: null,
    localNotes: [],  // Slackbot's replies, which never reach the app
    dismissed: new Set(),
    pollTimer: null,
    inFlight: 0,
  };

  // ---------------------------------------------------------------- talking to the sandbox

  async function api(name, body) {
    S.inFlight += 1;
    try {
      const reply = await fetch(`/sandbox/api/${name}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: S.user, ...body }),
      });
      const data = await reply.json().catch(() => ({}));
      if (!reply.ok) throw new Error(data.error || `HTTP ${reply.status}`);
      if (data.warning) toast(data.warning, "warn");
      return data;
    } finally {
      S.inFlight -= 1;
      pollSoon();
    }
  }

  async function poll() {
    if (!S.user) return;
    const user = S.user;
    let data;
    try {
      const headers = S.etag ? { "If-None-Match": S.etag } : {};
      const reply = await fetch(`/sandbox/api/screen?user=${encodeURIComponent(user)}`, { headers, cache: "no-store" });
      if (reply.status === 304) {
        const offset = reply.headers.get("X-Sandbox-Offset-Ms");
        if (offset !== null && user === S.user) S.offsetMs = Number(offset);
        return;
      }
      if (!reply.ok) return;
      data = await reply.json();
      if (user !== S.user) return;
      S.etag = reply.headers.get("ETag");
    } catch (problem) {
      return;  // the sandbox stopped or restarted: keep trying quietly
    }
    S.offsetMs = data.clock.offset_ms;
    S.screen = data;
    render();
  }

  function schedule(ms) {
    clearTimeout(S.pollTimer);
    S.pollTimer = setTimeout(async () => { await poll(); schedule(POLL_MS); }, ms);
  }

  function pollSoon() {
    // The app answers some things after its ack (modals, DMs): look again quickly.
    schedule(60);
    setTimeout(poll, 250);
    setTimeout(poll, 700);
  }

  // ---------------------------------------------------------------- helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "html") node.innerHTML = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function toast(text, kind) {
    const node = el("div", { class: `toast ${kind || ""}`, role: kind === "error" ? "alert" : "status" }, text);
    $("toasts").append(node);
    setTimeout(() => node.remove(), kind === "error" ? 9000 : 5000);
  }

  const people = () => Object.fromEntries((S.screen ? S.screen.people : []).map((p) => [p.id, p]));
  const channels = () => Object.fromEntries((S.screen ? S.screen.channels : []).map((c) => [c.id, c]));
  const me = () => people()[S.user] || {};
  const now = () => new Date(Date.now() + S.offsetMs);

  function ctx(extra) {
    return {
      people: people(), channels: channels(), tz: me().tz || "UTC", now: now(), me: S.user,
      conversations: S.screen ? S.screen.conversations : [], ...extra,
    };
  }

  function initials(name) {
    return (name || "?").split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
  }

  function colourFor(id) {
    const palette = ["#1264a3", "#e8912d", "#2bac76", "#cd2553", "#6f42c1", "#0b8a8a", "#9c5b1c", "#4a6078"];
    let h = 0;
    for (const c of id || "") h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return palette[h % palette.length];
  }

  function timeOf(ts, tz) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit" }).format(new Date(Number(ts) * 1000));
  }

  function dayOf(ts, tz) {
    return BK.formatDate(Math.floor(Number(ts)), "{date_long_pretty}", tz, now());
  }

  function convName(conv) {
    if (!conv) return "";
    if (conv.kind === "im") return "Peer Mentor";
    if (conv.kind === "channel") return conv.name;
    const all = people();
    const others = conv.members.filter((m) => m !== S.user).map((m) => (all[m] ? all[m].real_name : m));
    return others.join(", ") || "Just you";
  }

  function seenKey() { return `pm-sandbox-seen-${S.user}`; }
  function seen() {
    try { return JSON.parse(sessionStorage.getItem(seenKey()) || "null"); } catch (e) { return null; }
  }
  function markSeen(conv) {
    const record = seen() || {};
    const last = conv.messages.length ? conv.messages[conv.messages.length - 1].ts : "0";
    if (record[conv.id] === last) return;
    record[conv.id] = last;
    sessionStorage.setItem(seenKey(), JSON.stringify(record));
  }

  // ---------------------------------------------------------------- rendering

  function render() {
    const screen = S.screen;
    if (!screen) return;
    const record = seen();
    if (record === null) {  // first look at this person's Slack: nothing is "new" yet
      const initial = {};
      for (const c of screen.conversations) initial[c.id] = c.messages.length ? c.messages[c.messages.length - 1].ts : "0";
      sessionStorage.setItem(seenKey(), JSON.stringify(initial));
    }
    renderBanner();
    renderSidebar();
    renderMain();
    renderModal();
    renderClock();
  }

  function renderBanner() {
    const banner = $("banner");
    const { busy, notes, worker } = S.screen;
    const lines = [];
    if (busy) lines.push(busy);
    for (const note of notes) lines.push(`Note: ${note}`);
    if (worker.failures.length) lines.push(`The worker's last tick failed: ${worker.failures[worker.failures.length - 1]}`);
    banner.hidden = lines.length === 0;
    banner.className = busy ? "banner busy" : "banner";
    banner.textContent = lines.join(" · ");
    for (const id of ["advance-day", "advance-week", "fill"]) $(id).disabled = Boolean(busy);
  }

  function renderSidebar() {
    const screen = S.screen;
    const record = seen() || {};
    const item = (conv, icon, label, active) => {
      const last = conv && conv.messages.length ? conv.messages[conv.messages.length - 1].ts : "0";
      const unread = conv && !active && Number(last) > Number(record[conv.id] || 0);
      return el("button", {
        type: "button", class: `side-item${active ? " active" : ""}${unread ? " unread" : ""}`,
        "data-conv-id": conv ? conv.id : "", "data-kind": conv ? conv.kind : "",
        onclick: () => openConversation(conv),
      }, el("span", { class: "side-icon", "aria-hidden": "true" }, icon), label);
    };
    const convs = screen.conversations;
    const dm = convs.find((c) => c.kind === "im");
    const current = S.view;
    const nodes = [
      el("div", { class: "side-workspace" }, screen.workspace.name, el("div", { class: "side-me" }, `${me().real_name || ""} · ${me().title || ""}`)),
      el("div", { class: "side-section" }, "Apps"),
    ];
    const appButton = item(dm, "🤝", "Peer Mentor", current.kind === "app");
    appButton.onclick = () => openApp(current.kind === "app" ? current.tab : "home");
    nodes.push(appButton, el("div", { class: "side-section" }, "Channels"));
    for (const conv of convs.filter((c) => c.kind === "channel")) nodes.push(item(conv, "#", conv.name, current.kind === "conv" && current.id === conv.id));
    nodes.push(el("div", { class: "side-section" }, "Direct messages"));
    const groups = convs.filter((c) => c.kind === "mpim");
    if (!groups.length) nodes.push(el("div", { class: "side-empty" }, "None yet"));
    for (const conv of groups) nodes.push(item(conv, "👥", convName(conv), current.kind === "conv" && current.id === conv.id));
    const w = screen.worker;
    nodes.push(el("div", { class: "side-footer" },
      w.every_seconds ? `Worker: a tick every ${w.every_seconds} s` : "Worker: ticks when the clock moves",
      el("br"), `${w.ticks} ticks · ${w.sent} messages sent`));
    $("sidebar").replaceChildren(...nodes);
  }

  function currentConversation() {
    const convs = S.screen.conversations;
    if (S.view.kind === "app") return convs.find((c) => c.kind === "im");
    return convs.find((c) => c.id === S.view.id);
  }

  function renderMain() {
    const conv = currentConversation();
    if (S.view.kind === "conv" && !conv) { openApp("home"); return; }
    const header = $("conv-header");
    const composer = $("composer");
    if (S.view.kind === "app") {
      const tab = (name, label) => el("button", { type: "button", role: "tab", class: `tab${S.view.tab === name ? " active" : ""}`, "aria-selected": String(S.view.tab === name), onclick: () => openApp(name) }, label);
      header.replaceChildren(
        el("div", { class: "conv-title" }, el("span", { class: "avatar app", "aria-hidden": "true" }, "PM"), "Peer Mentor", el("span", { class: "app-badge" }, "APP")),
        el("div", { class: "tabs", role: "tablist" }, tab("home", "Home"), tab("messages", "Messages")));
      if (S.view.tab === "home") {
        composer.hidden = true;
        renderHome();
        return;
      }
    } else {
      const all = people();
      const members = conv.members.map((m) => (all[m] ? all[m].real_name : m));
      header.replaceChildren(
        el("div", { class: "conv-title" }, conv.kind === "channel" ? `# ${conv.name}` : convName(conv)),
        el("div", { class: "conv-sub" }, conv.kind === "channel" ? `${members.length} members · Peer Mentor is in this channel` : `Group DM: ${members.join(", ")} and Peer Mentor`));
    }
    composer.hidden = false;
    $("message").placeholder = S.view.kind === "app" ? "Message Peer Mentor (try /peer-mentor)" : `Message ${conv.kind === "channel" ? "#" + conv.name : convName(conv)}`;
    renderMessages(conv);
  }

  function renderHome() {
    const pane = $("pane");
    const home = S.screen.home;
    const key = `home:${S.user}:${home ? home.id + home.hash : "none"}`;
    if (S.paneKey === key) return;
    S.paneKey = key;
    pane.className = "pane home";
    if (!home) {
      pane.replaceChildren(el("div", { class: "empty" }, "Opening Peer Mentor's Home…"));
      return;
    }
    const wrap = el("div", { class: "home-wrap", "data-view-id": home.id });
    wrap.append(BK.render(home.blocks, ctx({ onAction: (blockId, element, selected) => act(blockId, element, selected, { kind: "view", view_id: home.id }, wrap) })));
    pane.replaceChildren(wrap);
  }

  function renderMessages(conv) {
    const pane = $("pane");
    const tz = me().tz || "UTC";
    const ephemeral = S.screen.ephemeral.filter((e) => e.channel === conv.id && !S.dismissed.has(e.ts));
    const notes = S.localNotes.filter((n) => n.user === S.user && n.channel === conv.id && !S.dismissed.has(n.ts));
    const key = JSON.stringify([S.user, conv.id, conv.messages, ephemeral, notes, tz]);
    markSeen(conv);
    if (S.paneKey === key) return;
    const nearBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 80 || !String(S.paneKey).startsWith("[");
    S.paneKey = key;
    pane.className = "pane";
    const items = [
      ...conv.messages.map((m) => ({ kind: "message", m })),
      ...ephemeral.map((m) => ({ kind: "ephemeral", m })),
      ...notes.map((m) => ({ kind: "slackbot", m })),
    ].sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
    const nodes = [];
    let lastDay = null;
    for (const { kind, m } of items) {
      const day = dayOf(m.ts, tz);
      if (day !== lastDay) { nodes.push(el("div", { class: "day" }, day)); lastDay = day; }
      nodes.push(renderMessage(kind, m, conv, tz));
    }
    if (!nodes.length) nodes.push(el("div", { class: "empty" }, conv.kind === "im" ? "No messages from Peer Mentor yet. Type /peer-mentor to start." : "No messages yet."));
    pane.replaceChildren(...nodes);
    if (nearBottom) pane.scrollTop = pane.scrollHeight;
  }

  // A shared file as Slack shows it: its title and name, and a link to download it.
  function fileCard(file) {
    const href = `/sandbox/api/file?user=${encodeURIComponent(S.user)}&id=${encodeURIComponent(file.id)}`;
    return el("div", { class: "file-card", "data-file": file.id },
      el("span", { class: "file-icon", "aria-hidden": "true" }, "📄"),
      el("div", { class: "file-names" }, el("b", {}, file.title || file.name), el("span", {}, file.name)),
      el("a", { href, download: file.name }, "Download"));
  }

  function renderMessage(kind, m, conv, tz) {
    const all = people();
    const fromApp = kind !== "message" || Boolean(m.bot_id) || (S.screen.app.bot_user_id === m.user);
    const author = kind === "slackbot" ? "Slackbot" : fromApp ? "Peer Mentor" : (all[m.user] ? all[m.user].real_name : m.user);
    const avatar = kind === "slackbot"
      ? el("div", { class: "avatar slackbot", "aria-hidden": "true" }, "SB")
      : fromApp ? el("div", { class: "avatar app", "aria-hidden": "true" }, "PM")
        : el("div", { class: "avatar", style: `background:${colourFor(m.user)}`, "aria-hidden": "true" }, initials(author));
    const where = { kind: kind === "message" ? "message" : "ephemeral", channel: conv.id, ts: m.ts };
    const body = el("div", { class: "msg-content" });
    if (m.blocks && m.blocks.length) {
      body.append(BK.render(m.blocks, ctx({ onAction: (blockId, element, selected) => act(blockId, element, selected, where, null) })));
    } else {
      body.append(el("div", { class: "bk-text", html: BK.mrkdwn(m.text || "", ctx()) }));
    }
    for (const file of m.files || []) body.append(fileCard(file));
    const meta = el("div", { class: "msg-meta" }, el("b", {}, author), fromApp && kind !== "slackbot" ? el("span", { class: "app-badge" }, "APP") : null, el("time", { datetime: new Date(Number(m.ts) * 1000).toISOString() }, timeOf(m.ts, tz)), m.edited ? el("span", { class: "edited" }, "(edited)") : null);
    const parts = [meta, body];
    if (kind !== "message") {
      parts.push(el("div", { class: "ephemeral-note" }, "👁 Only visible to you · ", el("button", { type: "button", onclick: () => { S.dismissed.add(m.ts); S.paneKey = null; render(); } }, "Dismiss")));
    }
    return el("div", { class: `msg${kind !== "message" ? " msg-ephemeral" : ""}`, "data-ts": m.ts, "data-kind": kind }, avatar, el("div", { class: "msg-body" }, parts));
  }

  // ---------------------------------------------------------------- modals

  function renderModal() {
    const root = $("modal-root");
    const stack = S.screen.modals;
    const top = stack[stack.length - 1];
    const key = top ? `${S.user}:${top.id}:${top.hash}` : null;
    if (key === S.modalKey) return;
    S.modalKey = key;
    // Like Slack, a view under a pushed one keeps what was typed into it: each open view's
    // form is kept until it closes or the app replaces it.
    const open = new Set(stack.map((v) => `${S.user}:${v.id}:${v.hash}`));
    for (const cached of S.modalCache.keys()) if (!open.has(cached)) S.modalCache.delete(cached);
    if (!top) { root.replaceChildren(); return; }
    if (S.modalCache.has(key)) { root.replaceChildren(S.modalCache.get(key)); return; }
    const body = el("div", { class: "modal-body" });
    const banner = el("div", { class: "modal-banner", role: "alert", hidden: true });
    const submit = top.submit ? el("button", { type: "button", class: "bk-button bk-primary modal-submit", onclick: () => submitModal(top, body, banner, submit) }, BK.plainEmoji(top.submit)) : null;
    const close = () => closeModal(top);
    const modal = el("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "modal-title", "data-view-id": top.id, "data-callback-id": top.callback_id || "" },
      el("header", {},
        stack.length > 1 ? el("button", { type: "button", class: "modal-back", "aria-label": "Back", onclick: close }, "←") : el("span", { class: "modal-app", "aria-hidden": "true" }, "PM"),
        el("h2", { id: "modal-title" }, BK.plainEmoji(top.title)),
        stack.length > 1 ? el("span", { class: "modal-depth" }, `${stack.length} of ${stack.length}`) : null,
        el("button", { type: "button", class: "modal-x", "aria-label": "Close", onclick: close }, "×")),
      banner, body,
      el("footer", {}, el("button", { type: "button", class: "bk-button modal-close", onclick: close }, BK.plainEmoji(top.close) || "Cancel"), submit));
    body.append(BK.render(top.blocks, ctx({ onAction: (blockId, element, selected) => act(blockId, element, selected, { kind: "view", view_id: top.id }, body) })));
    const overlay = el("div", { class: "modal-overlay", onkeydown: (event) => { if (event.key === "Escape") close(); } }, modal);
    S.modalCache.set(key, overlay);
    root.replaceChildren(overlay);
    const first = body.querySelector("input, textarea, select");
    if (first) first.focus();
  }

  function showModalErrors(body, errors) {
    BK.showErrors(body, errors);
    const first = body.querySelector(".bk-has-error");
    if (first) first.scrollIntoView({ block: "center" });
  }

  async function submitModal(view, body, banner, button) {
    const errors = BK.validate(body, view, ctx());
    showModalErrors(body, errors);
    banner.hidden = true;
    if (Object.keys(errors).length) return;
    button.disabled = true;
    try {
      const result = await api("submit", { view_id: view.id, answers: BK.collect(body, ctx()) });
      if (result.errors) showModalErrors(body, result.errors);
      if (result.error) { banner.textContent = result.error; banner.hidden = false; }
    } catch (problem) {
      banner.textContent = `We had some trouble connecting. Try again? (${problem.message})`;
      banner.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function closeModal(view) {
    try { await api("close", { view_id: view.id }); } catch (problem) { toast(problem.message, "error"); }
  }

  async function act(blockId, element, selected, where, formRoot) {
    try {
      const answers = formRoot && where.kind === "view" ? BK.collect(formRoot, ctx()) : null;
      const result = await api("action", { block_id: blockId, action_id: element.action_id, where, selected, answers });
      if (result.error) toast(result.error, "error");
    } catch (problem) {
      toast(problem.message, "error");
    }
  }

  // ---------------------------------------------------------------- navigation

  function openApp(tab) {
    S.view = { kind: "app", tab, id: null };
    S.paneKey = null;
    if (tab === "home") api("home", {}).catch((p) => toast(p.message, "error"));  // Slack sends app_home_opened each time
    if (S.screen) render();
  }

  function openConversation(conv) {
    if (!conv) return;
    if (conv.kind === "im") { openApp("messages"); return; }
    S.view = { kind: "conv", tab: null, id: conv.id };
    S.paneKey = null;
    render();
  }

  function switchTo(userId) {
    if (userId === S.user) return;
    S.user = userId;
    S.etag = null;
    S.screen = null;
    S.modalKey = null;
    S.modalCache.clear();
    S.paneKey = null;
    if (location.hash !== `#${userId}`) history.replaceState(null, "", `#${userId}`);
    $("who").value = userId;
    openApp("home");
    poll();
  }

  // ---------------------------------------------------------------- the composer

  function commandHint(text) {
    const hint = $("command-hint");
    const command = S.screen ? S.screen.app.command : "/peer-mentor";
    if (!text.startsWith("/") || text.includes(" ")) { hint.hidden = true; return; }
    hint.hidden = !command.startsWith(text.toLowerCase());
    hint.replaceChildren(el("code", {}, command), " [join | status | rules | checkin | feedback | pause [weeks] | resume | rematch | leave | summary | match | admin | help] — Peer Mentor");
  }

  async function send(event) {
    event.preventDefault();
    const input = $("message");
    const text = input.value.trim();
    if (!text) return;
    const conv = currentConversation();
    input.value = "";
    $("command-hint").hidden = true;
    if (text.startsWith("/")) {
      const word = text.match(/^\/\S+/)[0];
      const rest = text.slice(word.length).trim();
      if (word.toLowerCase() !== S.screen.app.command) {
        slackbot(conv.id, `${word} is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands. Try ${S.screen.app.command}.`);
        return;
      }
      try {
        const result = await api("command", { channel: conv.id, text: rest });
        if (result.error) slackbot(conv.id, result.error);
      } catch (problem) {
        toast(problem.message, "error");
      }
      return;
    }
    try { await api("say", { channel: conv.id, text }); } catch (problem) { toast(problem.message, "error"); }
  }

  function slackbot(channel, text) {
    S.localNotes.push({ user: S.user, channel, text, ts: String(now().getTime() / 1000), blocks: [] });
    S.paneKey = null;
    render();
  }

  // ---------------------------------------------------------------- the clock and the tools

  function renderClock() {
    const tz = me().tz || "UTC";
    const text = new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(now());
    $("clock-now").textContent = `${text} · ${tz.split("/").pop().replace(/_/g, " ")} time`;
  }

  async function tool(button, name, body, describe) {
    button.disabled = true;
    try {
      const result = await api(name, body);
      toast(describe(result));
    } catch (problem) {
      toast(problem.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  function describeAdvance(r) {
    const to = new Intl.DateTimeFormat("en-GB", { timeZone: me().tz || "UTC", weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(r.to));
    return `Now ${to}: the worker ticked ${r.ticks} times and sent ${r.sent} message${r.sent === 1 ? "" : "s"}.`;
  }

  function describeFill(r) {
    const problems = Object.entries(r.problems || {});
    const all = people();
    let text = `${r.joined.length} demo people joined through the join form`;
    if (r.already.length) text += `; ${r.already.length} ${r.already.length === 1 ? "was" : "were"} in already`;
    if (problems.length) text += `; problems: ${problems.map(([u, p]) => `${all[u] ? all[u].real_name : u}: ${p}`).join("; ")}`;
    return text + ".";
  }

  async function start() {
    const reply = await fetch("/sandbox/api/people", { cache: "no-store" });
    const first = await reply.json();
    const who = $("who");
    const groups = [["employee", "Employees"], ["manager", "Manager"], ["admin", "Program admin"]];
    for (const [role, label] of groups) {
      const group = el("optgroup", { label });
      for (const p of first.people.filter((x) => x.role === role)) {
        const city = p.tz.split("/").pop().replace(/_/g, " ");
        group.append(el("option", { value: p.id }, `${p.real_name} — ${p.title}, ${p.team} · ${city}`));
      }
      who.append(group);
    }
    who.addEventListener("change", () => switchTo(who.value));
    $("composer").addEventListener("submit", send);
    $("message").addEventListener("input", (e) => commandHint(e.target.value));
    $("command-hint").addEventListener("click", () => { $("message").value = `${S.screen.app.command} `; $("message").focus(); $("command-hint").hidden = true; });
    $("advance-day").addEventListener("click", (e) => tool(e.currentTarget, "advance", { days: 1 }, describeAdvance));
    $("advance-week").addEventListener("click", (e) => tool(e.currentTarget, "advance", { weeks: 1 }, describeAdvance));
    $("fill").addEventListener("click", (e) => tool(e.currentTarget, "fill", {}, describeFill));
    setInterval(() => { if (S.screen) renderClock(); }, 1000);
    const wanted = location.hash.slice(1);
    switchTo(first.people.some((p) => p.id === wanted && p.role !== "app") ? wanted : first.people.find((p) => p.role === "employee").id);
    schedule(POLL_MS);
  }

  window.Sandbox = { state: S, switchTo, poll };
  start();
})();
