// The mediation room: live messages over a WebSocket (reconnecting when the line drops),
// and, for a party, signing the agreement with a drawn signature.
(function () {
  'use strict';
  var room = document.querySelector('.room');
  if (!room) return;
  var list = document.getElementById('transcript');
  var say = document.getElementById('say');
  var socket = null, lastId = 0;

  function show(m) {
    if (m.id && m.id <= lastId) return;
    if (m.id) lastId = m.id;
    var li = document.createElement('li');
    li.className = 'msg';
    var who = document.createElement('span'); who.className = 'who'; who.textContent = m.author;
    var at = document.createElement('time'); at.textContent = ' ' + (m.at || '').slice(0, 16).replace('T', ' ');
    var p = document.createElement('p'); p.textContent = m.body;
    li.appendChild(who); li.appendChild(at); li.appendChild(p);
    list.appendChild(li);
    li.scrollIntoView({ block: 'nearest' });
  }

  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + room.dataset.ws;
    socket = new WebSocket(url);
    socket.onopen = function () { room.dataset.live = 'true'; };
    socket.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      if (m.error) { document.getElementById('say-error').textContent = m.error; return; }
      show(m);
    };
    socket.onclose = function () { room.dataset.live = 'false'; setTimeout(connect, 2000); };
  }
  connect();

  if (say) {
    say.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var box = document.getElementById('say-body');
      var text = box.value.trim();
      document.getElementById('say-error').textContent = '';
      if (!text) return;
      if (!socket || socket.readyState !== 1) {
        document.getElementById('say-error').textContent = '连接已断开,正在重连,请稍后再发';
        return;
      }
      socket.send(JSON.stringify({ body: text }));
      box.value = '';
    });
  }

  var sign = document.getElementById('sign');
  if (sign && window.SignaturePad) {
    var canvas = document.getElementById('pad');
    var pad = new SignaturePad(canvas, { backgroundColor: 'rgb(255,255,255)' });
    document.getElementById('pad-clear').addEventListener('click', function () { pad.clear(); });
    sign.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      var err = document.getElementById('sign-error');
      err.textContent = '';
      if (pad.isEmpty()) { err.textContent = '请先在方框内签名'; return; }
      var res = await fetch('/api/v1/public/agreement/signatures', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ number: sign.dataset.number, code: sign.dataset.code,
          text_hash: sign.dataset.hash, signature: pad.toDataURL('image/png') })
      });
      if (res.ok) { location.reload(); return; }
      var data = await res.json().catch(function () { return {}; });
      err.textContent = (data.error && data.error.message) || '签署失败,请重试';
    });
  }
})();
