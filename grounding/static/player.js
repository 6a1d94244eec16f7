// The guided grounding player: one step at a time, rate before and after, breathing pacer,
// optional gentle timer and read-aloud. Enhances a page that already works as a plain list.
// Works with the network off once loaded: a finished session waits in the outbox until online.
import '/assets/pwa/outbox-core.js';
import { csrf, fmt, uuid } from '/assets/pwa/helpers.js';

// ---- sending: through the app's offline outbox (IndexedDB), which keeps a session until the
// server acknowledged it and sends it when the network is back (also by Background Sync). ----
const outbox = self.TryggOutbox;

/** What became of a session: 'saved' (acknowledged), 'refused' (the server will never take it)
 * or 'queued' (kept on this device, sent when possible). */
async function stateOf(clientUuid) {
  const entry = (await outbox.all()).find((e) => e.body && e.body.client_uuid === clientUuid);
  if (!entry) return 'saved';
  return entry.rejected ? 'refused' : 'queued';
}

/** Keep the session in the outbox, then send it if we can. */
async function deliver(url, record) {
  await outbox.add({ url, method: 'POST', body: record, kind: 'grounding-session', csrf: csrf() });
  if (navigator.onLine) await outbox.flush().catch(() => null);
  return stateOf(record.client_uuid);
}

// ---- breathing pacer ----

class Pacer {
  constructor(root, strings, reduceMotion) {
    this.root = root;
    this.strings = strings;
    this.reduceMotion = reduceMotion;
    this.shape = root.querySelector('[data-pacer-shape]');
    this.phaseEl = root.querySelector('[data-pacer-phase]');
    this.countEl = root.querySelector('[data-pacer-count]');
    const n = (name) => Number(root.dataset[name] || 0);
    this.parts = [
      ['in', n('in'), 0.45, 1], ['hold', n('holdIn'), 1, 1],
      ['out', n('out'), 1, 0.45], ['hold', n('holdOut'), 0.45, 0.45],
    ].filter((part) => part[1] > 0);
    this.maxCycles = n('maxCycles') || Infinity;
    this.timer = null;
    this.animation = null;
    root.hidden = false;
  }

  start() {
    this.stop();
    this.cycle = 0;
    this.part = 0;
    this.count = 0;
    this.finished = false;
    this.enterPart();
  }

  enterPart() {
    const [name, seconds, from, to] = this.parts[this.part];
    this.count = 1;
    this.phaseEl.textContent = this.strings[name];
    this.countEl.textContent = '1';
    if (this.animation) this.animation.cancel();
    this.animation = null;
    if (!this.reduceMotion() && this.shape.animate) {
      this.animation = this.shape.animate(
        [{ transform: `scale(${from})` }, { transform: `scale(${to})` }],
        { duration: seconds * 1000, easing: 'ease-in-out', fill: 'forwards' });
    }
    this.schedule();
  }

  schedule() {
    this.timer = setTimeout(() => this.tick(), 1000);
  }

  tick() {
    const seconds = this.parts[this.part][1];
    if (this.count < seconds) {
      this.count += 1;
      this.countEl.textContent = String(this.count);
      this.schedule();
      return;
    }
    this.part += 1;
    if (this.part >= this.parts.length) {
      this.part = 0;
      this.cycle += 1;
      if (this.cycle >= this.maxCycles) {
        this.finished = true;
        this.phaseEl.textContent = this.strings.pacer_done;
        this.countEl.textContent = '';
        return;
      }
    }
    this.enterPart();
  }

  pause() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.animation) this.animation.pause();
  }

  resume() {
    if (this.finished || this.timer) return;
    if (this.animation) this.animation.play();
    this.schedule();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.animation) this.animation.cancel();
    this.animation = null;
    this.phaseEl.textContent = '\u00a0';
    this.countEl.textContent = '\u00a0';
  }
}

// ---- read aloud ----

function voiceFor(lang) {
  if (!('speechSynthesis' in window)) return null;
  const wanted = lang === 'nb' ? ['nb', 'no', 'nn'] : [lang];
  return speechSynthesis.getVoices().find((v) => {
    const code = v.lang.toLowerCase().replace('_', '-');
    return wanted.some((w) => code === w || code.startsWith(`${w}-`));
  }) || null;
}

// ---- the player ----

function setUpPlayer(root) {
  const strings = JSON.parse(document.getElementById('gr-strings').textContent);
  const $ = (selector) => root.querySelector(selector);
  const panels = {
    before: $('[data-panel="before"]'),
    after: $('[data-panel="after"]'),
    done: $('[data-panel="done"]'),
  };
  const steps = [...root.querySelectorAll('[data-panel="step"]')];
  const controls = $('[data-controls]');
  const tools = $('[data-tools]');
  const nextButton = $('[data-action="next"]');
  const backButton = $('[data-action="back"]');
  const pauseButton = $('[data-action="pause"]');
  const timerButton = $('[data-action="timer"]');
  const speakButton = $('[data-action="speak"]');
  const timerEl = $('[data-timer]');
  const live = $('[data-live]');
  const lang = document.documentElement.lang || 'en';
  const stepSeconds = Number(root.dataset.stepSeconds) || 30;
  const motionQuery = window.matchMedia('(prefers-reduced-motion: reduce)');
  const pacerEl = $('[data-pacer]');
  const pacer = pacerEl ? new Pacer(pacerEl, strings, () => motionQuery.matches) : null;
  const pacerStep = pacerEl ? steps.indexOf(pacerEl.closest('[data-panel="step"]')) : -1;

  const state = {
    phase: 'before', index: 0, before: null, after: null, startedAt: null,
    completed: true, paused: false, timerOn: false, left: 0, speaking: false, uuid: uuid(),
  };
  let current = null;
  let ticker = null;
  let sentUuid = null;

  // A session kept offline and sent later: say so on the page that made it.
  outbox.subscribe(async () => {
    if (!sentUuid || (await stateOf(sentUuid)) !== 'saved') return;
    const status = panels.done.querySelector('[data-save-status]');
    if (status.textContent === strings.saved) return;
    status.textContent = strings.saved;
    live.textContent = strings.saved;
  });

  root.classList.add('gr-enhanced');
  for (const el of [panels.before, panels.after, panels.done, controls, tools]) el.hidden = false;

  function show(panel) {
    if (current) current.classList.remove('is-current');
    panel.classList.add('is-current');
    current = panel;
  }

  function say(text) {
    live.textContent = text;
    if (!state.speaking) return;
    const voice = voiceFor(lang);
    if (!voice) return;
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    speechSynthesis.speak(utterance);
  }

  function stepText(i) {
    const text = steps[i].querySelector('.gr-step-text').textContent.trim();
    return `${fmt(strings.step_of, { n: i + 1, t: steps.length })}. ${text}`;
  }

  function setActive(active) {
    controls.classList.toggle('is-inactive', !active);
    tools.classList.toggle('is-inactive', !active);
    if (!active) timerEl.textContent = '';
  }

  // -- gentle timer: counts down the suggested time for a step, never moves on by itself
  function renderTimer() {
    if (!state.timerOn || state.phase !== 'step') { timerEl.textContent = ''; return; }
    timerEl.textContent = state.left > 0
      ? fmt(state.left === 1 ? strings.timer_left_one : strings.timer_left, { s: state.left }) : strings.timer_done;
  }

  function runTicker() {
    clearInterval(ticker);
    ticker = null;
    if (state.timerOn && !state.paused && state.phase === 'step' && state.left > 0) {
      ticker = setInterval(() => {
        state.left -= 1;
        renderTimer();
        if (state.left <= 0) { clearInterval(ticker); ticker = null; }
      }, 1000);
    }
  }

  function goToStep(i) {
    state.phase = 'step';
    state.index = i;
    show(steps[i]);
    backButton.disabled = i === 0;
    nextButton.textContent = i === steps.length - 1 ? strings.finish : strings.next;
    if (pacer) {
      if (i === pacerStep) { pacer.start(); if (state.paused) pacer.pause(); } else pacer.stop();
    }
    state.left = stepSeconds;
    renderTimer();
    runTicker();
    say(stepText(i));
  }

  function startSteps() {
    state.startedAt = new Date();
    state.completed = true;
    setActive(true);
    goToStep(0);
    nextButton.focus();
  }

  function askAfter(completed) {
    state.completed = completed;
    state.phase = 'after';
    if (pacer) pacer.stop();
    if (state.paused) togglePause();
    setActive(false);
    show(panels.after);
    panels.after.querySelector('h2').focus();
    say(panels.after.querySelector('h2').textContent);
  }

  // Still very distressed, or no better after: a kind next step instead of "well done".
  function stillHard(before, after) {
    if (before !== null && before >= 8) return true;
    if (after !== null && after >= 8) return true;
    return before !== null && after !== null && after >= before;
  }

  async function finish() {
    state.phase = 'done';
    show(panels.done);
    const heading = panels.done.querySelector('h2');
    const hard = stillHard(state.before, state.after);
    heading.textContent = hard ? strings.still_hard : strings.well_done;
    const nextSteps = panels.done.querySelector('[data-next-steps]');
    if (nextSteps) nextSteps.hidden = !hard;
    root.dataset.outcome = hard ? 'still-hard' : 'well-done';
    heading.focus();
    const shown = (v) => (v === null ? strings.not_rated : v);
    panels.done.querySelector('[data-result]').textContent =
      fmt(strings.result, { b: shown(state.before), a: shown(state.after) });
    const url = root.dataset.saveUrl;
    if (!url) return;
    const record = {
      client_uuid: state.uuid,
      exercise: root.dataset.slug,
      started_at: state.startedAt.toISOString(),
      duration_seconds: Math.max(0, Math.round((Date.now() - state.startedAt.getTime()) / 1000)),
      distress_before: state.before,
      distress_after: state.after,
      completed: state.completed,
    };
    const status = panels.done.querySelector('[data-save-status]');
    sentUuid = record.client_uuid;
    const outcome = await deliver(url, record);
    status.textContent = strings[outcome === 'refused' ? 'not_saved' : outcome];
    live.textContent = status.textContent;
  }

  function togglePause() {
    state.paused = !state.paused;
    root.classList.toggle('gr-paused', state.paused);
    pauseButton.setAttribute('aria-pressed', String(state.paused));
    pauseButton.textContent = state.paused ? strings.resume : strings.pause;
    if (state.paused) {
      if (pacer) pacer.pause();
      if ('speechSynthesis' in window) speechSynthesis.cancel();
      live.textContent = strings.paused;
    } else if (pacer && state.index === pacerStep && state.phase === 'step') {
      pacer.resume();
    }
    runTicker();
  }

  function reset() {
    Object.assign(state, { phase: 'before', index: 0, before: null, after: null, startedAt: null, uuid: uuid() });
    for (const b of root.querySelectorAll('.gr-num')) b.setAttribute('aria-pressed', 'false');
    panels.done.querySelector('[data-save-status]').textContent = '';
    show(panels.before);
    panels.before.querySelector('h2').focus();
  }

  root.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || !root.contains(button)) return;
    if (button.dataset.rate) {
      const value = Number(button.dataset.value);
      for (const b of button.parentElement.children) b.setAttribute('aria-pressed', String(b === button));
      if (button.dataset.rate === 'before') { state.before = value; startSteps(); } else { state.after = value; finish(); }
      return;
    }
    switch (button.dataset.action) {
      case 'next':
        if (state.index < steps.length - 1) goToStep(state.index + 1); else askAfter(true);
        break;
      case 'back':
        if (state.index > 0) goToStep(state.index - 1);
        if (state.index === 0) nextButton.focus();
        break;
      case 'pause': togglePause(); break;
      case 'timer':
        state.timerOn = !state.timerOn;
        timerButton.setAttribute('aria-pressed', String(state.timerOn));
        state.left = stepSeconds;
        renderTimer();
        runTicker();
        break;
      case 'speak':
        state.speaking = !state.speaking;
        speakButton.setAttribute('aria-pressed', String(state.speaking));
        if (!state.speaking) speechSynthesis.cancel(); else if (state.phase === 'step') say(stepText(state.index));
        break;
      case 'stop': askAfter(false); break;
      case 'skip-before': state.before = null; startSteps(); break;
      case 'skip-after': state.after = null; finish(); break;
      case 'again': reset(); break;
      default: break;
    }
  });

  // Arrow keys step too, for keyboard users who have moved focus elsewhere in the player.
  root.addEventListener('keydown', (event) => {
    if (state.phase !== 'step' || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === 'ArrowRight') { event.preventDefault(); nextButton.click(); }
    if (event.key === 'ArrowLeft' && state.index > 0) { event.preventDefault(); backButton.click(); }
  });

  // Read-aloud is offered only when the browser has a voice for the page's language.
  function offerSpeech() { speakButton.hidden = !voiceFor(lang); }
  if ('speechSynthesis' in window) {
    offerSpeech();
    speechSynthesis.addEventListener('voiceschanged', offerSpeech);
  }

  setActive(false);
  show(panels.before);
}

const player = document.getElementById('gr-player');
if (player) setUpPlayer(player);
// Sending on `online` and at start is the shell's job (pwa.js flushes the outbox).
