/// The only JavaScript: the copy button for a new API key, and the live pipeline page. Every page works
/// without it (the key is selectable text; the log has a plain-text link), so it only adds.
enum WebScripts {
    static let copy = #"""
        "use strict";
        document.addEventListener("click", function (event) {
          var button = event.target.closest("[data-copy]");
          if (!button) return;
          var source = document.getElementById(button.getAttribute("data-copy"));
          if (!source) return;
          var text = source.textContent.trim();
          function done() {
            button.textContent = "Copied";
            button.setAttribute("data-copied", "true");
            var status = document.getElementById(button.getAttribute("data-copy") + "-status");
            if (status) status.textContent = "The key is on your clipboard.";
          }
          function fallback() {
            var range = document.createRange();
            range.selectNodeContents(source);
            var selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            try { if (document.execCommand("copy")) done(); } catch (e) {}
          }
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(text).then(done, fallback);
          } else {
            fallback();
          }
        });
        """#

    /// Follows `GET /dashboard/pipelines/:id/events`: each `log` line is appended with its own anchor and its
    /// ANSI colours as classes (text goes in through `textContent`, so a log line can never become markup).
    static let pipeline = #"""
        "use strict";
        (function () {
          var log = document.getElementById("log");
          if (!log || !window.EventSource) return;
          var colors = { 30: "black", 31: "red", 32: "green", 33: "yellow", 34: "blue", 35: "magenta", 36: "cyan", 37: "white",
            90: "black", 91: "red", 92: "green", 93: "yellow", 94: "blue", 95: "magenta", 96: "cyan", 97: "white" };
          var count = 0;
          var statusText = document.getElementById("pipeline-status");
          log.textContent = "";
          function setStatus(element, status) {
            if (!element) return;
            element.textContent = status;
            element.className = "status status-" + status;
          }
          function appendAnsi(parent, text) {
            var bold = false, color = null, last = 0, match;
            var pattern = /\x1b\[([0-9;]*)([A-Za-z])/g;
            function push(part) {
              part = part.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
              if (!part) return;
              if (!bold && !color) { parent.appendChild(document.createTextNode(part)); return; }
              var span = document.createElement("span");
              span.className = ((bold ? "ansi-bold " : "") + (color ? "ansi-" + color : "")).trim();
              span.textContent = part;
              parent.appendChild(span);
            }
            while ((match = pattern.exec(text)) !== null) {
              push(text.slice(last, match.index));
              last = pattern.lastIndex;
              if (match[2] !== "m") continue;
              var codes = match[1] === "" ? [0] : match[1].split(";").map(Number);
              for (var i = 0; i < codes.length; i++) {
                var code = codes[i];
                if (code === 0) { bold = false; color = null; }
                else if (code === 1) bold = true;
                else if (code === 22) bold = false;
                else if (code === 39) color = null;
                else if (colors[code]) color = colors[code];
              }
            }
            push(text.slice(last));
          }
          function addLine(text, extra) {
            var atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
            count += 1;
            var line = document.createElement("span");
            line.className = "line" + (extra ? " " + extra : "");
            line.id = "L" + count;
            var anchor = document.createElement("a");
            anchor.href = "#L" + count;
            anchor.textContent = String(count);
            anchor.setAttribute("aria-label", "line " + count);
            line.appendChild(anchor);
            appendAnsi(line, text.replace(/\r?\n$/, ""));
            log.appendChild(line);
            log.setAttribute("data-lines", String(count));
            if (atBottom && log.getAttribute("data-follow") !== "off") window.scrollTo(0, document.body.scrollHeight);
          }
          function stepRow(name) {
            var rows = document.querySelectorAll("[data-step]");
            for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-step") === name) return rows[i];
            var list = document.getElementById("steps");
            if (!list) return null;
            var placeholder = document.getElementById("no-steps");
            if (placeholder) placeholder.hidden = true;
            var row = document.createElement("li");
            row.setAttribute("data-step", name);
            var label = document.createElement("span");
            label.textContent = name;
            var state = document.createElement("span");
            var badge = document.createElement("span");
            badge.className = "status";
            var duration = document.createElement("span");
            duration.className = "duration muted";
            state.appendChild(badge);
            state.appendChild(document.createTextNode(" "));
            state.appendChild(duration);
            row.appendChild(label);
            row.appendChild(state);
            list.appendChild(row);
            return row;
          }
          var source = new EventSource(log.getAttribute("data-events"));
          source.addEventListener("log", function (event) {
            var data = JSON.parse(event.data);
            addLine(data.line, null);
          });
          source.addEventListener("step", function (event) {
            var data = JSON.parse(event.data);
            if (data.status === "running") addLine("==> step " + data.name, "step-head");
            var row = stepRow(data.name);
            if (!row) return;
            setStatus(row.querySelector(".status"), data.status);
            if (data.started_at && data.completed_at) {
              var seconds = (Date.parse(data.completed_at) - Date.parse(data.started_at)) / 1000;
              var cell = row.querySelector(".duration");
              if (cell) cell.textContent = seconds < 60 ? seconds.toFixed(1) + " s" : Math.floor(seconds / 60) + " min " + Math.round(seconds % 60) + " s";
            }
          });
          source.addEventListener("pipeline", function (event) {
            setStatus(statusText, JSON.parse(event.data).status);
          });
          source.addEventListener("end", function (event) {
            source.close();
            setStatus(statusText, JSON.parse(event.data).status);
            log.setAttribute("data-ended", "true");
            var running = document.querySelectorAll("[data-while-running]");
            for (var i = 0; i < running.length; i++) running[i].hidden = true;
            var ended = document.querySelectorAll("[data-when-ended]");
            for (var j = 0; j < ended.length; j++) ended[j].hidden = false;
            if (location.hash) { var target = document.getElementById(location.hash.slice(1)); if (target) target.scrollIntoView(); }
          });
        })();
        """#
}
