// Sends files one by one as the request body to `url` (+ "name=<file name>"), for the
// case page (staff, with the CSRF token) and the citizen's report page. Calls `done`
// with the messages of the files refused, each prefixed with the file's name.
(function () {
  'use strict';
  window.concordUpload = async function (url, files, headers, done) {
    var errors = [];
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var sep = url.indexOf('?') >= 0 ? '&' : '?';
      try {
        var r = await fetch(url + sep + 'name=' + encodeURIComponent(f.name), {
          method: 'POST', body: f, credentials: 'same-origin',
          headers: Object.assign({ 'Content-Type': f.type || 'application/octet-stream' }, headers || {})
        });
        if (!r.ok) {
          var j = await r.json().catch(function () { return {}; });
          var msg = (j.error && j.error.message) || (r.status === 413 ? '文件太大' : '上传失败(' + r.status + ')');
          errors.push(f.name + ':' + msg);
        }
      } catch (e) {
        errors.push(f.name + ':网络异常,请稍后重试');
      }
    }
    done(errors);
  };

  // A form marked data-upload sends its file input's files there.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches('form[data-upload]')) return;
    ev.preventDefault();
    var input = form.querySelector('input[type=file]');
    var slot = form.querySelector('.error');
    slot.textContent = '';
    if (!input.files.length) { slot.textContent = '请先选择文件'; return; }
    var button = form.querySelector('button');
    button.disabled = true;
    var csrf = (document.querySelector('meta[name="csrf"]') || {}).content;
    var headers = csrf ? { 'X-CSRF-Token': csrf } : {};
    window.concordUpload(form.dataset.upload, input.files, headers, function (errors) {
      button.disabled = false;
      if (errors.length) { slot.textContent = errors.join(';'); input.focus(); return; }
      if (form.dataset.then === 'clear') {
        form.querySelector('output').textContent = '已上传' + input.files.length + '个文件';
        input.value = '';
      } else {
        window.location.reload();
      }
    });
  });
})();
