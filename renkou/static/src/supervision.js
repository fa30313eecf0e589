// Monthly supervision: the phone inspection form and the result charts.
//
// The inspection form keeps its draft in localStorage first and sends it to the
// server second, so nothing typed or photographed is lost when the network
// drops. A draft is sent as soon as the phone is online again ("online" event,
// and a retry timer for networks that come back silently). Photos are shrunk on
// the phone (max 1600 px, JPEG) before they are stored and sent: smaller
// drafts, faster uploads on a weak signal.
(function () {
  "use strict";

  var MAX_SIDE = 1600;
  var JPEG_QUALITY = 0.82;
  var SYNC_DELAY_MS = 2000;
  var RETRY_MS = 15000;

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  // Amounts as integer hundredths, so 0.1 + 0.2 adds up the way it does on paper.
  function cents(text) { return text === null || text === undefined ? null : Math.round(parseFloat(text) * 100); }
  function fmt(value) {
    var negative = value < 0;
    var text = (Math.abs(value) / 100).toFixed(2).replace(/\.?0+$/, "");
    return (negative ? "-" : "") + text;
  }

  // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
  function uuid4() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function AppError(message, status) { this.message = message; this.status = status || 0; }

  // ---------------------------------------------------------------------------
  // The inspection form
  // ---------------------------------------------------------------------------
  function inspectionPage(root) {
    var state = readJson("inspection-state");
    if (!state) { return; }
    var form = document.getElementById("insp-form");
    var statusEl = document.getElementById("insp-status");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var items = {};
    state.items.forEach(function (item) { items[item.id] = item; });
    var draft = loadDraft();
    var editSeq = 0;
    var syncing = false;
    var again = false;
    var timer = null;

    function freshDraft() {
      var d = { v: 1, baseRevision: state.revision, dirty: false, submit: false,
                representative: state.representative, remarks: state.remarks, location: null, items: {} };
      state.items.forEach(function (item) {
        d.items[item.id] = {
          occurrences: item.occurrences, failed: item.failed, note: item.note, rectify: item.rectify,
          photos: item.photos.map(function (p) { return { uuid: p.uuid, url: p.url, name: p.name, uploaded: true }; })
        };
      });
      return d;
    }

    function loadDraft() {
      var fresh = freshDraft();
      var stored = null;
      try { stored = JSON.parse(window.localStorage.getItem(state.storageKey) || "null"); } catch (e) { stored = null; }
      // Only unsynced work on this phone wins over what the server holds.
      if (!stored || stored.v !== 1 || !(stored.dirty || stored.submit || hasPendingPhotos(stored))) { return fresh; }
      Object.keys(fresh.items).forEach(function (id) {
        if (!stored.items[id]) { stored.items[id] = fresh.items[id]; }
      });
      Object.keys(stored.items).forEach(function (id) {
        if (!fresh.items[id]) { delete stored.items[id]; }
      });
      return stored;
    }

    function hasPendingPhotos(d) {
      return Object.keys(d.items || {}).some(function (id) {
        return (d.items[id].photos || []).some(function (p) { return !p.uploaded; });
      });
    }

    function pendingPhotoCount() {
      var n = 0;
      Object.keys(draft.items).forEach(function (id) {
        draft.items[id].photos.forEach(function (p) { if (!p.uploaded) { n += 1; } });
      });
      return n;
    }

    function persist() {
      draft.savedAt = new Date().toISOString();
      try {
        window.localStorage.setItem(state.storageKey, JSON.stringify(draft));
        return true;
      } catch (e) {
        setStatus("error", "手机存储空间不足，无法再保存照片。请联网同步后再拍照。");
        return false;
      }
    }

    function setStatus(kind, text) {
      statusEl.dataset.state = kind;
      statusEl.textContent = text;
    }

    function showSaved() {
      if (!navigator.onLine) {
        var n = pendingPhotoCount();
        setStatus("offline", "离线：已保存在本机" + (n ? "（" + n + "张照片待上传）" : "") +
          (draft.submit ? "，联网后自动提交。" : "，联网后自动同步。"));
      } else if (draft.dirty || draft.submit || pendingPhotoCount()) {
        setStatus("pending", "已保存在本机，正在同步……");
      }
    }

    // --- scoring preview (the server's numbers are the ones that count) ---
    function lineOf(item, entry) {
      var points = cents(item.points);
      var deduction = 0;
      var text;
      if (item.style === "yes_no") {
        if (entry.failed) {
          deduction = Math.min(cents(item.deduction), points);
          text = "不符合要求，扣" + fmt(deduction) + "分。";
        } else {
          text = "符合要求，得满分" + fmt(points) + "分。";
        }
      } else if (entry.occurrences > 0) {
        var limit = item.cap === null ? points : Math.min(cents(item.cap), points);
        var raw = cents(item.deduction) * entry.occurrences;
        deduction = Math.min(raw, limit);
        text = "发现" + entry.occurrences + "处问题，" + (raw > limit
          ? "应扣" + fmt(raw) + "分，按上限扣" + fmt(limit) + "分。"
          : "共扣" + fmt(raw) + "分。");
      } else {
        text = "未发现问题，得满分" + fmt(points) + "分。";
      }
      return { points: points, deduction: deduction, text: text };
    }

    function totals() {
      var full = 0, subtotal = 0, findings = [], missing = [], tasks = 0;
      state.items.forEach(function (item) {
        var entry = draft.items[item.id];
        var line = lineOf(item, entry);
        full += line.points;
        subtotal += line.points - line.deduction;
        if (line.deduction > 0) {
          findings.push(item.code);
          if (entry.rectify) { tasks += 1; }
          if (item.evidence && entry.photos.length === 0) { missing.push(item.code); }
        }
      });
      var overdue = 0;
      if (state.overdue && state.overdue.count) {
        overdue = cents(state.overdue.perTask) * state.overdue.count;
        if (state.overdue.cap !== null) { overdue = Math.min(overdue, cents(state.overdue.cap)); }
        overdue = Math.min(overdue, subtotal);
      }
      return { full: full, total: subtotal - overdue, overdue: overdue, findings: findings, missing: missing, tasks: tasks };
    }

    // --- rendering ---
    function renderPhotos(article, entry) {
      var box = article.querySelector("[data-photos]");
      box.textContent = "";
      entry.photos.forEach(function (photo) {
        var wrap = document.createElement("div");
        wrap.className = "insp-photo";
        var img = document.createElement("img");
        img.src = photo.uploaded ? photo.url : photo.dataUrl;
        img.alt = photo.name || "照片";
        wrap.appendChild(img);
        if (!photo.uploaded) {
          var tag = document.createElement("span");
          tag.className = "pending";
          tag.textContent = "待上传";
          wrap.appendChild(tag);
        }
        var remove = document.createElement("button");
        remove.type = "button";
        remove.setAttribute("aria-label", "删除这张照片");
        remove.dataset.removePhoto = photo.uuid;
        remove.textContent = "×";
        wrap.appendChild(remove);
        box.appendChild(wrap);
      });
    }

    function renderItem(article) {
      var id = article.dataset.item;
      var item = items[id];
      var entry = draft.items[id];
      var line = lineOf(item, entry);
      var count = article.querySelector("[data-count]");
      if (count) {
        count.textContent = String(entry.occurrences);
        article.querySelector("[data-step='-1']").disabled = entry.occurrences <= 0;
      }
      article.querySelectorAll("[data-failed]").forEach(function (radio) {
        radio.checked = (radio.value === "1") === Boolean(entry.failed);
      });
      var note = article.querySelector("[data-note]");
      if (note !== document.activeElement) { note.value = entry.note; }
      article.querySelector("[data-rectify]").checked = Boolean(entry.rectify);
      var lineEl = article.querySelector("[data-line]");
      lineEl.textContent = line.text;
      lineEl.dataset.minus = line.deduction > 0 ? "true" : "false";
      article.dataset.finding = line.deduction > 0 ? "true" : "false";
      article.querySelector(".insp-rectify").hidden = line.deduction === 0;
      var need = article.querySelector("[data-need-photo]");
      if (need) { need.hidden = !(line.deduction > 0 && entry.photos.length === 0); }
      renderPhotos(article, entry);
    }

    function renderTotals() {
      var t = totals();
      document.querySelector("[data-total]").textContent = fmt(t.total);
      document.querySelector("[data-full]").textContent = fmt(t.full);
      document.querySelector("[data-total-note]").textContent = t.overdue
        ? "含逾期整改扣" + fmt(t.overdue) + "分；以提交后系统计算为准"
        : "预计得分，以提交后系统计算为准";
    }

    function renderAll() {
      form.querySelectorAll("[data-item]").forEach(renderItem);
      var rep = document.getElementById("insp-rep");
      var remarks = document.getElementById("insp-remarks");
      if (rep !== document.activeElement) { rep.value = draft.representative || ""; }
      if (remarks !== document.activeElement) { remarks.value = draft.remarks || ""; }
      renderTotals();
    }

    function changed(article) {
      editSeq += 1;
      draft.dirty = true;
      persist();
      if (article) { renderItem(article); }
      renderTotals();
      showSaved();
      scheduleSync(SYNC_DELAY_MS);
    }

    // --- photos ---
    function shrink(file) {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onerror = function () { reject(new AppError("无法读取这张照片。")); };
        reader.onload = function () {
          var img = new Image();
          img.onload = function () {
            var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
            var canvas = document.createElement("canvas");
            canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
            canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
            canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
            resolve(canvas.toDataURL("image/jpeg", JPEG_QUALITY));
          };
          img.onerror = function () {
            // A format the browser cannot draw (HEIC on most phones' browsers): keep it as it is if small.
            if (file.size <= 4 * 1024 * 1024) { resolve(reader.result); } else {
              reject(new AppError("无法处理这张照片，请改用相机的“兼容格式”（JPEG）拍摄。"));
            }
          };
          img.src = reader.result;
        };
        reader.readAsDataURL(file);
      });
    }

    function dataUrlToBlob(dataUrl) {
      var parts = dataUrl.split(",");
      var type = (parts[0].match(/data:([^;]+)/) || [null, "application/octet-stream"])[1];
      var bytes = atob(parts[1]);
      var buffer = new Uint8Array(bytes.length);
      for (var i = 0; i < bytes.length; i += 1) { buffer[i] = bytes.charCodeAt(i); }
      return new Blob([buffer], { type: type });
    }

    // --- talking to the server ---
    function parse(response) {
      var type = response.headers.get("content-type") || "";
      if (response.redirected || type.indexOf("application/json") === -1) {
        throw new AppError("登录已过期或无权访问，请重新登录后再同步（草稿仍保存在本机）。", response.status);
      }
      return response.json().then(function (body) {
        if (!response.ok || !body.ok) { throw new AppError(body.error || "同步失败。", response.status); }
        return body;
      });
    }

    function post(url, body, json) {
      var headers = { "X-CSRFToken": csrf, "Accept": "application/json" };
      if (json) { headers["Content-Type"] = "application/json"; }
      return fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" }).then(parse);
    }

    function payload() {
      var location = draft.location;
      return {
        revision: draft.baseRevision,
        representative: draft.representative || "",
        remarks: draft.remarks || "",
        location: location,
        results: state.items.map(function (item) {
          var entry = draft.items[item.id];
          return {
            item: item.id,
            occurrences: entry.occurrences,
            failed: Boolean(entry.failed),
            note: entry.note || "",
            rectify: Boolean(entry.rectify),
            photos: entry.photos.filter(function (p) { return p.uploaded; }).map(function (p) { return p.uuid; })
          };
        })
      };
    }

    async function uploadPhotos() {
      var ids = Object.keys(draft.items);
      for (var i = 0; i < ids.length; i += 1) {
        var photos = draft.items[ids[i]].photos;
        for (var j = 0; j < photos.length; j += 1) {
          var photo = photos[j];
          if (photo.uploaded) { continue; }
          var data = new FormData();
          data.append("file", dataUrlToBlob(photo.dataUrl), photo.name || "photo.jpg");
          data.append("item", ids[i]);
          data.append("uuid", photo.uuid);
          var body = await post(state.photoUrl, data, false);
          photo.uploaded = true;
          photo.url = body.url;
          delete photo.dataUrl;  // the server has it now; free the phone's storage
          draft.dirty = true;    // the draft must now list the photo
          persist();
        }
      }
    }

    async function syncNow() {
      if (syncing) { again = true; return; }
      if (!navigator.onLine) { showSaved(); return; }
      syncing = true;
      clearTimeout(timer);
      try {
        if (pendingPhotoCount()) { setStatus("pending", "正在上传照片……"); }
        await uploadPhotos();
        if (draft.dirty) {
          setStatus("pending", "正在同步……");
          var seq = editSeq;
          var saved = await post(state.syncUrl, JSON.stringify(payload()), true);
          draft.baseRevision = saved.revision;
          if (seq === editSeq) { draft.dirty = false; }
          persist();
        }
        if (draft.submit && !draft.dirty) {
          setStatus("pending", "正在提交……");
          var done = await post(state.syncUrl, JSON.stringify({ submit: true, revision: draft.baseRevision }), true);
          window.localStorage.removeItem(state.storageKey);
          setStatus("synced", "已提交，得分" + done.total + "分。");
          window.location.assign(done.redirect || state.doneUrl);
          return;
        }
        var time = new Date();
        setStatus("synced", "已同步 " + String(time.getHours()).padStart(2, "0") + ":" + String(time.getMinutes()).padStart(2, "0"));
      } catch (error) {
        if (error instanceof AppError) {
          if (draft.submit) { draft.submit = false; persist(); }
          setStatus("error", error.message);
        } else {
          // fetch rejects with a TypeError when the network is gone.
          showSaved();
          if (navigator.onLine) { setStatus("offline", "网络不稳定：已保存在本机，稍后自动重试。"); }
          scheduleSync(RETRY_MS);
        }
      } finally {
        syncing = false;
        if (again) { again = false; scheduleSync(0); }
      }
    }

    function scheduleSync(delay) {
      clearTimeout(timer);
      timer = setTimeout(syncNow, delay);
    }

    // --- events ---
    form.addEventListener("click", function (event) {
      var step = event.target.closest("[data-step]");
      var remove = event.target.closest("[data-remove-photo]");
      var article = event.target.closest("[data-item]");
      if (step && article) {
        var entry = draft.items[article.dataset.item];
        entry.occurrences = Math.max(0, Math.min(999, entry.occurrences + parseInt(step.dataset.step, 10)));
        changed(article);
      } else if (remove && article) {
        var list = draft.items[article.dataset.item].photos;
        draft.items[article.dataset.item].photos = list.filter(function (p) { return p.uuid !== remove.dataset.removePhoto; });
        changed(article);
      }
    });
    form.addEventListener("change", function (event) {
      var article = event.target.closest("[data-item]");
      if (event.target.matches("[data-failed]") && article) {
        draft.items[article.dataset.item].failed = event.target.value === "1";
        changed(article);
      } else if (event.target.matches("[data-rectify]") && article) {
        draft.items[article.dataset.item].rectify = event.target.checked;
        changed(article);
      } else if (event.target.matches("[data-photo-input]") && article) {
        var files = Array.prototype.slice.call(event.target.files || []);
        event.target.value = "";
        files.reduce(function (chain, file) {
          return chain.then(function () {
            return shrink(file).then(function (dataUrl) {
              draft.items[article.dataset.item].photos.push({
                uuid: uuid4(), name: (file.name || "photo").replace(/\.[^.]+$/, "") + ".jpg",
                dataUrl: dataUrl, uploaded: false
              });
              changed(article);
            });
          });
        }, Promise.resolve()).catch(function (error) { setStatus("error", error.message || "无法处理这张照片。"); });
      }
    });
    form.addEventListener("input", function (event) {
      var article = event.target.closest("[data-item]");
      if (event.target.matches("[data-note]") && article) {
        draft.items[article.dataset.item].note = event.target.value;
        changed(null);
      } else if (event.target.id === "insp-rep") {
        draft.representative = event.target.value;
        changed(null);
      } else if (event.target.id === "insp-remarks") {
        draft.remarks = event.target.value;
        changed(null);
      }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    document.querySelector("[data-save]").addEventListener("click", function () {
      persist();
      showSaved();
      syncNow();
    });

    var dialog = document.getElementById("insp-confirm");
    document.querySelector("[data-submit]").addEventListener("click", function () {
      var t = totals();
      var text = "预计得分" + fmt(t.total) + "分；扣分项" + t.findings.length + "个，开具整改任务" + t.tasks + "项。";
      var ok = dialog.querySelector("[data-confirm-ok]");
      if (t.missing.length) {
        text += "以下扣分项须附照片，请先拍照：" + t.missing.join("、") + "。";
        ok.disabled = true;
      } else {
        ok.disabled = false;
      }
      dialog.querySelector("[data-confirm-text]").textContent = text;
      dialog.showModal();
    });
    dialog.querySelector("[data-confirm-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-confirm-ok]").addEventListener("click", function () {
      dialog.close();
      draft.submit = true;
      persist();
      showSaved();
      syncNow();
    });

    window.addEventListener("online", function () { scheduleSync(0); });
    window.addEventListener("offline", function () { showSaved(); });

    // Location and time, when the browser offers them (HTTPS or localhost, and the user agrees).
    var gpsEl = document.querySelector("[data-gps]");
    if (!state.located && !draft.location && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (position) {
        draft.location = {
          latitude: position.coords.latitude,
          longitude: position.coords.longitude,
          accuracy: position.coords.accuracy,
          at: new Date(position.timestamp || Date.now()).toISOString()
        };
        gpsEl.textContent = " · 已定位（±" + Math.round(position.coords.accuracy) + "米）";
        changed(null);
      }, function () {
        gpsEl.textContent = " · 未能定位";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    } else if (draft.location) {
      gpsEl.textContent = " · 已定位";
    }

    renderAll();
    if (draft.dirty || draft.submit || pendingPhotoCount()) {
      setStatus("pending", "本机有未同步的草稿，正在同步……");
      scheduleSync(0);
    }
  }

  // ---------------------------------------------------------------------------
  // Charts (ECharts, data from json_script blocks)
  // ---------------------------------------------------------------------------
  function rankingChart(el) {
    var data = readJson(el.dataset.source);
    if (!data || !window.echarts) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 96, right: 40, top: 10, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { interval: 0 } },
      series: [{
        type: "bar", name: data.series,
        data: data.values.map(function (v, i) { return { value: v, itemStyle: { color: data.bottom[i] ? "#c0262d" : "#0b6e6e" } }; }),
        label: { show: true, position: "right" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function trendChart(el) {
    var data = readJson(el.dataset.source);
    if (!data || !window.echarts) { return; }
    var selected = {};
    data.series.forEach(function (s) { selected[s.name] = data.selected.indexOf(s.name) !== -1; });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 20, top: 70, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, selected: selected },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100 },
      series: data.series.map(function (s, i) {
        return { type: "line", name: s.name, data: s.data, connectNulls: false, symbolSize: 6,
                 lineStyle: i === 0 ? { width: 3, color: "#0b6e6e" } : { width: 1.5 },
                 itemStyle: i === 0 ? { color: "#0b6e6e" } : undefined };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A submitted inspection needs no draft on this phone any more (it may have
    // been submitted from another device).
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      try { window.localStorage.removeItem(el.dataset.clearDraft); } catch (e) { /* storage off */ }
    });
    var page = document.getElementById("inspection");
    if (page) { inspectionPage(page); }
    document.querySelectorAll("[data-chart='sv-ranking']").forEach(rankingChart);
    document.querySelectorAll("[data-chart='sv-trend']").forEach(trendChart);
  });
})();
