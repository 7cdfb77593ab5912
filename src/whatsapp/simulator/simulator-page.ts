/**
 * The simulator page: plain HTML and a little script, no build step. Everything shown that came
 * from someone (names, messages, file names) is set as text (`textContent`), never as markup.
 */
export const SIMULATOR_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard simulator</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; display: flex; height: 100vh; color: #111; }
  aside { width: 260px; border-right: 1px solid #ddd; padding: 12px; overflow: auto; background: #f7f7f7; }
  main { flex: 1; display: flex; flex-direction: column; }
  h1 { font-size: 16px; margin: 0 0 4px; }
  .note { font-size: 12px; color: #666; margin-bottom: 12px; }
  .contact { display: block; width: 100%; text-align: left; padding: 8px; margin: 2px 0; border: 0; background: none; cursor: pointer; border-radius: 6px; }
  .contact[aria-pressed="true"] { background: #dcf8c6; }
  form.new input { width: 100%; box-sizing: border-box; margin: 2px 0; padding: 6px; }
  #chat { flex: 1; overflow: auto; padding: 16px; background: #ece5dd; }
  .msg { max-width: 70%; margin: 6px 0; padding: 6px 10px; border-radius: 8px; background: #fff; word-wrap: break-word; white-space: pre-wrap; }
  .msg.customer { margin-left: auto; background: #dcf8c6; }
  .meta { font-size: 11px; color: #667; margin-top: 2px; }
  .ack-read { color: #34b7f1; }
  .reactions { font-size: 14px; }
  .msg img { max-width: 240px; display: block; }
  footer { padding: 8px; border-top: 1px solid #ddd; display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
  footer input[type=text] { flex: 1; min-width: 200px; padding: 8px; }
  #error { color: #b00; font-size: 13px; padding: 0 8px; min-height: 1em; }
</style>
</head>
<body>
<aside>
  <h1>WhatsApp simulator</h1>
  <div class="note">You play the customers. Messages go to Switchboard as if sent from a phone; nothing reaches WhatsApp.</div>
  <div id="contacts" role="list"></div>
  <form class="new" id="new-contact">
    <h2 style="font-size:14px">New contact</h2>
    <input id="new-name" placeholder="Name" required maxlength="80">
    <input id="new-number" placeholder="Phone, e.g. +44 7911 123456" required maxlength="32">
    <button type="submit">Add contact</button>
  </form>
</aside>
<main>
  <div id="chat" aria-live="polite"><p class="note">Pick or create a contact to start.</p></div>
  <div id="error" role="alert"></div>
  <footer>
    <form id="send" style="display:flex;flex:1;gap:6px">
      <input type="text" id="text" placeholder="Type a message as the customer" maxlength="4096" autocomplete="off">
      <button type="submit" id="send-button">Send</button>
    </form>
    <label>📎 <input type="file" id="file"></label>
    <button type="button" id="phone" title="Write the text as the business, on its own phone (not through Switchboard)">📱 As the business phone</button>
    <label title="As the WhatsApp Business App's own greeting or away message"><input type="checkbox" id="automated"> automatic</label>
    <button type="button" id="stop">STOP</button>
    <button type="button" id="yes">YES</button>
  </footer>
</main>
<script>
(function () {
  'use strict';
  var contacts = new Map();
  var messages = new Map();
  var current = null;
  var $ = function (id) { return document.getElementById(id); };

  function showError(text) { $('error').textContent = text || ''; }

  function api(path, body) {
    return fetch('/simulator/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { if (!res.ok) throw new Error(json.error || res.statusText); showError(''); return json; }); })
      .catch(function (err) { showError(err.message); throw err; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawContacts() {
    var list = $('contacts');
    list.replaceChildren();
    contacts.forEach(function (c) {
      var button = el('button', 'contact', c.name + ' · ' + c.e164);
      button.setAttribute('aria-pressed', String(current === c.waId));
      button.dataset.waId = c.waId;
      button.addEventListener('click', function () { select(c.waId); });
      list.appendChild(button);
    });
  }

  var TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓' };

  function drawChat() {
    var chat = $('chat');
    chat.replaceChildren();
    if (!current) { chat.appendChild(el('p', 'note', 'Pick or create a contact to start.')); return; }
    messages.forEach(function (m) {
      if (m.waId !== current) return;
      var box = el('div', 'msg ' + m.from);
      box.dataset.id = m.id;
      if (m.revoked) box.appendChild(el('em', '', 'This message was deleted'));
      if (m.text !== undefined) box.appendChild(el('div', 'text', m.text));
      if (m.media) {
        if (m.media.dataUrl && /^image\\//.test(m.media.mimetype)) {
          var img = el('img'); img.src = m.media.dataUrl; img.alt = m.media.filename || 'picture'; box.appendChild(img);
        } else if (m.media.dataUrl) {
          var link = el('a', '', '📄 ' + (m.media.filename || m.media.mimetype)); link.href = m.media.dataUrl; link.download = m.media.filename || 'file'; box.appendChild(link);
        } else {
          box.appendChild(el('div', '', '📄 ' + (m.media.filename || m.media.mimetype)));
        }
        if (m.media.caption) box.appendChild(el('div', 'text', m.media.caption));
      }
      var reactions = [m.reactions.customer, m.reactions.business].filter(Boolean).join(' ');
      if (reactions) box.appendChild(el('div', 'reactions', reactions));
      var origin = m.automated ? ' · auto-reply (business phone)' : m.fromPhone ? ' · business phone' : '';
      var meta = el('div', 'meta', new Date(m.at).toLocaleTimeString() + origin + (m.edited ? ' · edited' : '') + ' ');
      var ack = el('span', 'ack ack-' + m.ack, TICKS[m.ack]);
      ack.title = m.ack;
      ack.dataset.ack = m.ack;
      meta.appendChild(ack);
      if (m.from === 'business' && !m.revoked) {
        ['👍', '❤️', '😂', '🙏'].forEach(function (emoji) {
          var react = el('button', 'react', emoji);
          react.type = 'button';
          react.title = 'React ' + emoji;
          react.addEventListener('click', function () { api('reactions', { waId: m.waId, messageId: m.id, emoji: m.reactions.customer === emoji ? '' : emoji }); });
          meta.appendChild(react);
        });
      }
      box.appendChild(meta);
      chat.appendChild(box);
    });
    chat.scrollTop = chat.scrollHeight;
    markShownRead();
  }

  /** The business's replies in the open chat count as read once the page shows them. */
  function markShownRead() {
    if (!current || document.visibilityState !== 'visible') return;
    var ids = [];
    messages.forEach(function (m) { if (m.waId === current && m.from === 'business' && m.ack !== 'read' && !m.revoked) ids.push(m.id); });
    if (ids.length) api('receipts', { messageIds: ids, ack: 'read' }).catch(function () {});
  }

  /** Replies reaching the page are delivered, whichever chat is open. */
  function markDelivered(list) {
    var ids = list.filter(function (m) { return m.from === 'business' && m.ack === 'sent' && !m.revoked; }).map(function (m) { return m.id; });
    if (ids.length) api('receipts', { messageIds: ids, ack: 'delivered' }).catch(function () {});
  }

  function select(waId) { current = waId; drawContacts(); drawChat(); }

  var events = new EventSource('/simulator/events');
  events.onmessage = function (e) {
    var event = JSON.parse(e.data);
    if (event.type === 'snapshot') {
      contacts.clear(); messages.clear();
      event.contacts.forEach(function (c) { contacts.set(c.waId, c); });
      event.messages.forEach(function (m) { messages.set(m.id, m); });
      markDelivered(event.messages);
    } else if (event.type === 'contact') {
      contacts.set(event.contact.waId, event.contact);
    } else if (event.type === 'message') {
      messages.set(event.message.id, event.message);
      markDelivered([event.message]);
    }
    drawContacts();
    drawChat();
  };
  events.onerror = function () { showError('Lost the connection to Switchboard; retrying…'); };
  events.onopen = function () { showError(''); };
  document.addEventListener('visibilitychange', markShownRead);

  $('new-contact').addEventListener('submit', function (e) {
    e.preventDefault();
    api('contacts', { name: $('new-name').value, number: $('new-number').value }).then(function (res) {
      contacts.set(res.contact.waId, res.contact);
      $('new-name').value = ''; $('new-number').value = '';
      select(res.contact.waId);
    }, function () {});
  });

  function sendText(text) {
    if (!current) { showError('Pick or create a contact first.'); return; }
    return api('messages', { waId: current, text: text });
  }
  $('send').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('text').value;
    if (!text.trim()) return;
    var sent = sendText(text);
    if (sent) sent.then(function () { $('text').value = ''; }, function () {});
  });
  $('phone').addEventListener('click', function () {
    var text = $('text').value;
    if (!current) { showError('Pick or create a contact first.'); return; }
    if (!text.trim()) { showError('Type the text the business phone sends.'); return; }
    api('phone-messages', { waId: current, text: text, automated: $('automated').checked }).then(function () { $('text').value = ''; }, function () {});
  });
  $('stop').addEventListener('click', function () { var s = sendText('STOP'); if (s) s.catch(function () {}); });
  $('yes').addEventListener('click', function () { var s = sendText('YES'); if (s) s.catch(function () {}); });
  $('file').addEventListener('change', function () {
    var file = $('file').files[0];
    if (!file) return;
    if (!current) { showError('Pick or create a contact first.'); return; }
    var reader = new FileReader();
    reader.onload = function () {
      var data = String(reader.result).replace(/^data:[^,]*,/, '');
      var caption = $('text').value.trim();
      var media = { mimetype: file.type || 'application/octet-stream', filename: file.name, dataBase64: data };
      if (caption) media.caption = caption;
      api('messages', { waId: current, media: media }).then(function () { $('file').value = ''; $('text').value = ''; }, function () {});
    };
    reader.readAsDataURL(file);
  });
})();
</script>
</body>
</html>
`;
