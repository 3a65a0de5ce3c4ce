// The digitrec page: draw on the canvas or drop a photo, send it to /api/v1/read, show the answer.
"use strict";

const API_URL = "/api/v1/read";
const AUTO_READ_DELAY_MS = 700;   // after the pen lifts, wait this long for another stroke
const STROKE_FRACTION = 1 / 13;   // line width relative to the canvas height: MNIST-like strokes
const INK = "#111111";
const PAPER = "#ffffff";
const UNSURE_BELOW = 0.5;

const pad = document.getElementById("pad");
const context = pad.getContext("2d");
const elements = Object.fromEntries(
  ["clear", "read", "auto", "single", "file", "drop", "error", "result", "text", "summary", "digits",
   "annotated", "annotated-figure"].map((id) => [id, document.getElementById(id)]),
);

let drawn = false;
let lastPoint = null;
let autoTimer = null;
let requestNumber = 0;

function clearPad() {
  context.fillStyle = PAPER;
  context.fillRect(0, 0, pad.width, pad.height);
  drawn = false;
}

function padPoint(event) {
  const rect = pad.getBoundingClientRect();
  return {
    x: (event.clientX - rect.left) * (pad.width / rect.width),
    y: (event.clientY - rect.top) * (pad.height / rect.height),
  };
}

function strokeTo(point) {
  context.strokeStyle = INK;
  context.fillStyle = INK;
  context.lineWidth = pad.height * STROKE_FRACTION;
  context.lineCap = "round";
  context.lineJoin = "round";
  if (lastPoint === null) {
    context.beginPath();
    context.arc(point.x, point.y, context.lineWidth / 2, 0, 2 * Math.PI);
    context.fill();
  } else {
    context.beginPath();
    context.moveTo(lastPoint.x, lastPoint.y);
    context.lineTo(point.x, point.y);
    context.stroke();
  }
  lastPoint = point;
}

pad.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  clearTimeout(autoTimer);
  pad.setPointerCapture(event.pointerId);
  lastPoint = null;
  strokeTo(padPoint(event));
  drawn = true;
});

pad.addEventListener("pointermove", (event) => {
  if (lastPoint === null) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const each of events.length ? events : [event]) strokeTo(padPoint(each));
});

function endStroke() {
  if (lastPoint === null) return;
  lastPoint = null;
  if (elements.auto.checked) autoTimer = setTimeout(readDrawing, AUTO_READ_DELAY_MS);
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

elements.clear.addEventListener("click", () => {
  clearTimeout(autoTimer);
  clearPad();
  showIdle();
});
elements.read.addEventListener("click", readDrawing);

function readDrawing() {
  clearTimeout(autoTimer);
  if (!drawn) {
    showError("Draw a digit first, or drop a photo.");
    return;
  }
  pad.toBlob((blob) => send(blob, "drawing.png", "your drawing"), "image/png");
}

elements.file.addEventListener("change", () => {
  if (elements.file.files.length) send(elements.file.files[0], elements.file.files[0].name);
  elements.file.value = "";
});
for (const type of ["dragenter", "dragover"]) {
  elements.drop.addEventListener(type, (event) => {
    event.preventDefault();
    elements.drop.classList.add("over");
  });
}
for (const type of ["dragleave", "drop"]) {
  elements.drop.addEventListener(type, () => elements.drop.classList.remove("over"));
}
elements.drop.addEventListener("drop", (event) => {
  event.preventDefault();
  const file = event.dataTransfer.files[0];
  if (file) send(file, file.name);
});

async function send(blob, name, source = name) {
  const number = ++requestNumber;
  const form = new FormData();
  form.append("file", blob, name);
  const query = new URLSearchParams({ inputs: "true", single: String(elements.single.checked) });
  elements.result.classList.add("busy");
  elements.read.disabled = true;
  try {
    const response = await fetch(`${API_URL}?${query}`, { method: "POST", body: form });
    const answer = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
    if (number !== requestNumber) return;  // a newer request has been sent since
    if (!response.ok || answer.error) showError(answer.error || `the server answered ${response.status}`);
    else showReading(answer, source);
  } catch (error) {
    if (number === requestNumber) showError(`Could not reach the server (${error.message}).`);
  } finally {
    if (number === requestNumber) {
      elements.result.classList.remove("busy");
      elements.read.disabled = false;
    }
  }
}

const START_HINT = "Draw a digit, or drop a photo, to start.";

function resetResult(summary) {
  elements.text.hidden = true;
  elements.summary.textContent = summary;
  elements.summary.hidden = !summary;
  elements.digits.replaceChildren();
  elements["annotated-figure"].hidden = true;
}

function showIdle() {
  elements.error.hidden = true;
  resetResult(START_HINT);
}

function showError(message) {
  resetResult("");
  elements.error.textContent = message;
  elements.error.hidden = false;
}

function percent(p) {
  return `${(100 * p).toFixed(1)}%`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function digitCard(digit) {
  const card = element("li", digit.confidence < UNSURE_BELOW ? "digit unsure" : "digit");
  const input = element("img");
  input.src = `data:image/png;base64,${digit.input_png}`;
  input.alt = `The 28x28 input the network saw for the digit read as ${digit.digit}`;
  input.title = "What the network saw (28x28)";
  const value = element("div", "value", String(digit.digit));
  value.append(element("span", "confidence", percent(digit.confidence)));
  const bars = element("div", "bars");
  for (const [candidate, probability] of digit.top3) {
    const bar = element("div", "bar");
    const track = element("div", "track");
    const fill = element("div", "fill");
    fill.style.width = percent(probability);
    track.append(fill);
    bar.append(element("span", "", String(candidate)), track, element("span", "p", percent(probability)));
    bars.append(bar);
  }
  card.append(input, value, bars);
  return card;
}

function showReading(reading, source) {
  elements.error.hidden = true;
  const count = reading.digits.length;
  elements.text.textContent = count ? reading.text : "–";
  elements.text.hidden = false;
  const totalMs = reading.timings_ms.total;
  elements.summary.textContent = count
    ? `${count} digit${count === 1 ? "" : "s"} found in ${source}, read in ${Math.round(totalMs)} ms.`
    : `No digits found in ${source}.`;
  elements.summary.hidden = false;
  elements.digits.replaceChildren(...reading.digits.map(digitCard));
  elements.annotated.src = `data:image/png;base64,${reading.annotated_png}`;
  elements["annotated-figure"].hidden = false;
}

clearPad();
showIdle();
