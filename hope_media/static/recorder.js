// The voice recorder on the plan's "What matters to me": record (up to 2 minutes, with a timer),
// stop, listen back, save. The form works without this script (choose a sound file, plain post);
// the script records in the browser and hands the recording to the app's outbox, so a recording
// made offline is kept on the device and sent once, when the network is back.
import '/assets/pwa/outbox-core.js';
import { clearFieldError, csrf, fmt, showFieldError, uuid } from '/assets/pwa/helpers.js';

const outbox = self.TryggOutbox;
const BITS_PER_SECOND = 48000;
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'];
const clock = (ms) => { const s = Math.floor(ms / 1000); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`; };

function toBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

function enhance(form) {
  const words = form.dataset;
  const maxMs = Number(words.maxSeconds) * 1000;
  const controls = form.querySelector('[data-recorder-controls]');
  const startButton = form.querySelector('[data-record]');
  const stopButton = form.querySelector('[data-stop]');
  const timer = form.querySelector('[data-timer]');
  const preview = form.querySelector('[data-preview]');
  const status = form.querySelector('[data-recorder-status]');
  const fileInput = form.querySelector('input[type=file]');
  const list = form.closest('.hm-panel').querySelector('[data-media-list]');
  let recorder = null;
  let recording = null;  // {blob, ms, id}
  let started = 0;
  let tick = null;

  controls.hidden = false;
  const say = (text) => { status.textContent = text; };

  const finish = () => {
    clearInterval(tick);
    tick = null;
    if (recorder && recorder.state !== 'inactive') recorder.stop();
  };

  startButton.addEventListener('click', async () => {
    clearFieldError(fileInput);
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      say(words.wNoMic);
      return;
    }
    const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    // 48 kbit/s Opus: clear speech at about a third of the default size (bench/media.py).
    recorder = new MediaRecorder(stream, { ...(type ? { mimeType: type } : {}), audioBitsPerSecond: BITS_PER_SECOND });
    const chunks = [];
    recorder.addEventListener('dataavailable', (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener('stop', () => {
      stream.getTracks().forEach((track) => track.stop());
      const ms = Math.min(Date.now() - started, maxMs);
      recording = { blob: new Blob(chunks, { type: recorder.mimeType || type || 'audio/webm' }), ms, id: uuid() };
      preview.src = URL.createObjectURL(recording.blob);
      preview.hidden = false;
      stopButton.hidden = true;
      startButton.hidden = false;
      form.querySelector('[name=duration_ms]').value = String(ms);
      say(fmt(words.wRecorded, { time: clock(ms) }));
      preview.focus();
    });
    recording = null;
    preview.hidden = true;
    started = Date.now();
    recorder.start(1000);
    startButton.hidden = true;
    stopButton.hidden = false;
    stopButton.focus();
    const max = clock(maxMs);
    tick = setInterval(() => {
      const ms = Date.now() - started;
      timer.textContent = `${clock(ms)} / ${max}`;
      say(fmt(words.wRecording, { time: clock(ms), max }));
      if (ms >= maxMs) finish();
    }, 250);
  });
  stopButton.addEventListener('click', finish);

  form.addEventListener('submit', async (event) => {
    if (!recording && fileInput.files.length) return;  // a chosen file goes as a plain form post
    event.preventDefault();
    if (!recording) { showFieldError(fileInput, words.wNothing); return; }
    // The server's limit, said as the server says it: a body it would refuse is never queued.
    if (recording.blob.size > Number(words.maxBytes)) { showFieldError(fileInput, words.wTooBig); return; }
    const field = (name) => (form.querySelector(`[name=${name}]`) || {}).value || '';
    const share = form.querySelector('[name=shared]');
    const body = {
      uuid: recording.id, kind: 'audio', data: await toBase64(recording.blob), caption: field('caption'),
      transcript: field('transcript'), duration_ms: recording.ms, section: field('section'),
      shared: Boolean(share && share.checked),
    };
    const result = await outbox.send({ url: words.api, method: 'POST', body, kind: 'media', label: words.label, csrf: csrf() });
    if (result.type === 'waiting') {
      waiting.add(body.uuid);  // sent later (online again): told below
      say(words.wWaiting);
    } else {
      settle(result);
    }
  });

  // What became of a recording: saved (drawn in the list, the form emptied for the next one) or
  // refused (the reason beside the field; the recording and the words stay in the form).
  const waiting = new Set();
  async function settle(result) {
    if (result.type === 'sent') {
      if (result.answer && result.answer.url) list.append(drawn(result.answer));
      form.querySelector('[name=caption]').value = '';
      form.querySelector('[name=transcript]').value = '';
      preview.hidden = true;
      recording = null;
      delete form.dataset.dirty;
      say(words.wSaved);
    } else if (result.type === 'refused') {
      const answer = result.answer || {};
      const target = form.querySelector(`[name=${answer.field === 'file' || !answer.field ? 'file' : answer.field}]`) || fileInput;
      showFieldError(target, answer.message || words.wNothing);
      await outbox.dismiss(result.entry.id);  // the form still holds the recording and the words
    }
  }
  outbox.subscribe((event) => {
    const id = event && event.entry && event.entry.body && event.entry.body.uuid;
    if (!id || !waiting.has(id) || (event.type !== 'sent' && event.type !== 'refused')) return;
    waiting.delete(id);
    settle(event);
  });

  // A saved recording as the server would draw it (caption, player, transcript).
  function drawn(item) {
    const li = document.createElement('li');
    li.className = 'hm-item hm-audio';
    const figure = document.createElement('figure');
    figure.className = 'hm-figure';
    const caption = document.createElement('figcaption');
    caption.textContent = item.caption || words.wARecording;
    const audio = document.createElement('audio');
    audio.controls = true;
    audio.preload = 'metadata';
    audio.src = item.url;
    figure.append(caption, audio);
    if (item.transcript) {
      const details = document.createElement('details');
      details.className = 'hm-transcript';
      const summary = document.createElement('summary');
      summary.textContent = words.wTranscript;
      const text = document.createElement('p');
      text.textContent = item.transcript;
      details.append(summary, text);
      figure.append(details);
    }
    li.append(figure);
    return li;
  }
}

if (window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  document.querySelectorAll('form[data-recorder]').forEach(enhance);
}
