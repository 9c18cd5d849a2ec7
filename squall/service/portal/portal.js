/* squall portal: a page over the same HTTP API as every other client. */
(function () {
  "use strict";
  var view = document.getElementById("view");
  var statusBox = document.getElementById("status");
  var timers = [];
  var state = {sort: {key: "created_at", dir: -1}, selected: {}, filters: {}};

  function token() { return localStorage.getItem("squall-token") || ""; }

  function call(method, path, args) {
    var url = "/api/v1/" + path, opts = {method: method, headers: {"Accept": "application/json"}};
    if (token()) opts.headers["Authorization"] = "Bearer " + token();
    args = args || {};
    if (method === "GET") {
      var q = Object.keys(args).filter(function (k) { return args[k] !== null && args[k] !== undefined; })
        .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(JSON.stringify(args[k])); });
      if (q.length) url += "?" + q.join("&");
    } else {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(args);
    }
    return fetch(url, opts).then(function (r) {
      return r.json().then(function (body) {
        if (r.status === 401) {
          var t = window.prompt("This squall service needs a token:");
          if (t) { localStorage.setItem("squall-token", t); return call(method, path, args); }
        }
        if (body.error) { var e = new Error(body.error.msg); e.info = body.error; throw e; }
        return body.result;
      });
    });
  }

  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k];
      else if (k === "cls") n.className = attrs[k];
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), attrs[k]);
      else n.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c != null) n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function verdict(pass) {
    return el("span", {cls: "badge " + (pass === true ? "pass" : pass === false ? "fail" : "other"),
                       text: pass === true ? "pass" : pass === false ? "fail" : "-"});
  }
  /* What an empty page means, and the command that fills it. */
  function empty(what, how) {
    return el("div", {cls: "empty"}, [el("p", {text: what}), el("p", {}, [el("code", {text: how})])]);
  }

  function showError(e) { view.appendChild(el("p", {cls: "error", text: "Error: " + e.message})); }
  function clear() { timers.forEach(clearInterval); timers = []; view.innerHTML = ""; }

  /* -- tasks ------------------------------------------------------------ */
  function taskMatches(t) {
    var f = state.filters;
    if (f.title && (t.title || "").toLowerCase().indexOf(f.title.toLowerCase()) < 0) return false;
    if (f.status && t.status !== f.status) return false;
    if (f.env && t.env_name !== f.env) return false;
    if (f.tag && (t.tags || []).indexOf(f.tag) < 0) return false;
    if (f.sla && String(t.pass_sla) !== f.sla) return false;
    if (f.since && (t.created_at || "") < f.since) return false;
    if (f.until && (t.created_at || "").slice(0, 10) > f.until) return false;
    return true;
  }

  function renderTasks(tasks) {
    var card = el("div", {cls: "card"});
    var tags = {}, envs = {}, statuses = {};
    tasks.forEach(function (t) {
      (t.tags || []).forEach(function (g) { tags[g] = 1; });
      if (t.env_name) envs[t.env_name] = 1;
      statuses[t.status] = 1;
    });
    function select(name, values) {
      var s = el("select", {name: name, onchange: function () { state.filters[name] = s.value; draw(); }},
                 [el("option", {value: "", text: "any"})].concat(Object.keys(values).sort().map(function (v) {
                   return el("option", {value: v, text: v}); })));
      s.value = state.filters[name] || "";
      return el("label", {}, [name, s]);
    }
    function input(name, type) {
      var i = el("input", {name: name, type: type, value: state.filters[name] || "",
                           oninput: function () { state.filters[name] = i.value; draw(); }});
      return el("label", {}, [name, i]);
    }
    var slaSel = el("select", {name: "sla", onchange: function () { state.filters.sla = slaSel.value; draw(); }},
      [el("option", {value: "", text: "any"}), el("option", {value: "true", text: "pass"}),
       el("option", {value: "false", text: "fail"})]);
    slaSel.value = state.filters.sla || "";
    var compareBtn = el("button", {id: "compare", text: "Compare 2 selected", onclick: function () {
      var ids = selectedIds(); location.hash = "#/compare/" + ids[0] + "/" + ids[1]; }});
    var trendsBtn = el("button", {id: "trends", text: "Trends of selected", cls: "secondary", onclick: function () {
      location.hash = "#/trends/" + selectedIds().join(","); }});
    card.appendChild(el("div", {cls: "filters"}, [input("title", "search"), select("tag", tags), select("env", envs),
      select("status", statuses), el("label", {}, ["SLA", slaSel]), input("since", "date"), input("until", "date"),
      compareBtn, trendsBtn]));
    var table = el("table", {id: "tasks"});
    card.appendChild(table);
    view.appendChild(card);

    function selectedIds() { return Object.keys(state.selected).filter(function (k) { return state.selected[k]; }); }

    function draw() {
      var cols = [["", null], ["Title", "title"], ["Status", "status"], ["SLA", "pass_sla"], ["Env", "env_name"],
                  ["Tags", "tags"], ["Created", "created_at"], ["Duration (s)", "task_duration"]];
      var rows = tasks.filter(taskMatches).sort(function (a, b) {
        var k = state.sort.key, x = a[k], y = b[k];
        x = Array.isArray(x) ? x.join(",") : x; y = Array.isArray(y) ? y.join(",") : y;
        return (x > y ? 1 : x < y ? -1 : 0) * state.sort.dir;
      });
      table.innerHTML = "";
      table.appendChild(el("thead", {}, [el("tr", {}, cols.map(function (c) {
        var cls = state.sort.key === c[1] ? (state.sort.dir > 0 ? "sorted-asc" : "sorted-desc") : "";
        return el("th", {cls: cls, "data-key": c[1] || "", text: c[0], onclick: function () {
          if (!c[1]) return;
          state.sort = {key: c[1], dir: state.sort.key === c[1] ? -state.sort.dir : 1}; draw(); }});
      }))]));
      table.appendChild(el("tbody", {}, rows.map(function (t) {
        var box = el("input", {type: "checkbox", "data-uuid": t.uuid, onchange: function () {
          state.selected[t.uuid] = box.checked; buttons(); }});
        box.checked = !!state.selected[t.uuid];
        var link = t.status === "running" ? "#/live/" + t.uuid : "#/task/" + t.uuid;
        return el("tr", {"data-uuid": t.uuid}, [el("td", {}, [box]),
          el("td", {}, [el("a", {href: link, text: t.title || t.uuid})]), el("td", {text: t.status}),
          el("td", {}, [verdict(t.pass_sla)]), el("td", {text: t.env_name || "-"}),
          el("td", {text: (t.tags || []).join(", ")}), el("td", {text: (t.created_at || "").slice(0, 19).replace("T", " ")}),
          el("td", {cls: "num", text: (t.task_duration || 0).toFixed(2)})]);
      })));
      buttons();
    }
    function buttons() {
      var n = selectedIds().length;
      compareBtn.disabled = n !== 2;
      trendsBtn.disabled = n < 1;
    }
    draw();
  }

  /* The report in a frame as tall as the report: the page scrolls, not a box inside it. */
  function showReport(promise) {
    var frame = el("iframe", {cls: "report", title: "report", scrolling: "no"});
    frame.addEventListener("load", function () {
      var doc = frame.contentDocument;
      if (!doc || !doc.body) return;
      function fit() {  // the frame's borders on top of the report's height
        frame.style.height = (doc.documentElement.scrollHeight + frame.offsetHeight - frame.clientHeight) + "px";
      }
      fit();
      if (window.ResizeObserver) new ResizeObserver(fit).observe(doc.body);
    });
    view.appendChild(frame);
    promise.then(function (r) { frame.srcdoc = r.content; }).catch(showError);
  }

  /* -- live view ---------------------------------------------------------- */
  function renderLive(uuid) {
    var card = el("div", {cls: "card", id: "live"});
    var head = el("h2", {text: "Task " + uuid});
    var kpis = el("div", {cls: "kpis"});
    var bars = el("div", {});
    var hooks = el("table", {id: "live-hooks"});
    var abort = el("button", {text: "Abort", cls: "secondary", onclick: function () {
      call("POST", "task/abort", {task_id: uuid}).catch(showError); }});
    card.appendChild(head); card.appendChild(abort); card.appendChild(kpis); card.appendChild(bars);
    card.appendChild(el("h3", {text: "Hook runs"})); card.appendChild(hooks);
    view.appendChild(card);
    var started = Date.now(), lastDone = 0, lastAt = Date.now(), rate = 0;
    function kpi(k, v, id) { return el("div", {cls: "kpi"}, [el("div", {cls: "v", id: id, text: v}), el("div", {cls: "k", text: k})]); }
    function tick() {
      Promise.all([call("GET", "task/progress", {task_id: uuid}), call("GET", "task/hooks", {task_id: uuid})])
        .then(function (res) {
          var p = res[0], runs = res[1];
          var done = p.workloads.reduce(function (a, w) { return a + w.done; }, 0);
          var failed = p.workloads.reduce(function (a, w) { return a + w.failed; }, 0);
          var now = Date.now();
          if (now > lastAt) rate = (done - lastDone) * 1000 / (now - lastAt);
          lastDone = done; lastAt = now;
          kpis.innerHTML = "";
          [["status", p.status, "live-status"], ["iterations", String(done), "live-done"],
           ["failures", String(failed), "live-failed"], ["iterations/s", rate.toFixed(1), "live-rate"],
           ["elapsed (s)", ((now - started) / 1000).toFixed(0), "live-elapsed"]].forEach(function (x) {
            kpis.appendChild(kpi(x[0], x[1], x[2])); });
          bars.innerHTML = "";
          p.workloads.forEach(function (w) {
            var frac = w.expected ? Math.min(1, w.done / w.expected) : 0;
            bars.appendChild(el("div", {}, [el("div", {text: "#" + w.position + " " + w.name + ": " + w.done +
              (w.expected ? " / " + w.expected : "") + " (" + w.status + ")"}),
              el("div", {cls: "bar"}, [el("div", {style: "width:" + (100 * frac).toFixed(1) + "%"})])]));
          });
          hooks.innerHTML = "";
          hooks.appendChild(el("tbody", {}, runs.map(function (r) {
            return el("tr", {}, [el("td", {text: r.action}), el("td", {text: r.triggered_by.event_type + " " + r.triggered_by.value}),
                                 el("td", {text: r.status})]); })));
          if (["finished", "aborted", "crashed"].indexOf(p.status) >= 0) {
            timers.forEach(clearInterval); timers = [];
            card.appendChild(el("p", {}, [el("a", {href: "#/task/" + uuid, id: "live-report", text: "Open the report"})]));
          }
        }).catch(showError);
    }
    tick();
    timers.push(setInterval(tick, 1000));
  }

  /* -- verifications ------------------------------------------------------ */
  function renderVerifications(data) {
    var runs = data[0], names = {};
    data[1].forEach(function (v) { names[v.uuid] = v.name; });
    var f = {}, picked = {};
    var card = el("div", {cls: "card", id: "verifications"});
    var values = {verifier: {}, env: {}, status: {}, tag: {}};
    runs.forEach(function (r) {
      values.verifier[names[r.verifier_uuid] || r.verifier_uuid] = 1;
      if (r.env_name) values.env[r.env_name] = 1;
      values.status[r.status] = 1;
      (r.tags || []).forEach(function (g) { values.tag[g] = 1; });
    });
    function select(name) {
      var s = el("select", {name: name, onchange: function () { f[name] = s.value; draw(); }},
        [el("option", {value: "", text: "any"})].concat(Object.keys(values[name]).sort().map(function (v) {
          return el("option", {value: v, text: v}); })));
      return el("label", {}, [name, s]);
    }
    var since = el("input", {name: "since", type: "date", oninput: function () { f.since = since.value; draw(); }});
    var compare = el("button", {id: "compare-verifications", text: "Compare selected", onclick: function () {
      location.hash = "#/vcompare/" + Object.keys(picked).filter(function (k) { return picked[k]; }).join(","); }});
    card.appendChild(el("div", {cls: "filters"}, [select("verifier"), select("env"), select("status"), select("tag"),
      el("label", {}, ["since", since]), compare]));
    var table = el("table", {id: "verification-list"});
    card.appendChild(table);
    if (!runs.length) {
      card.appendChild(empty("No verification yet.", data[1].length ?
        "Run one with: squall verify start" :
        "Make a verifier, then run it: squall verify create-verifier --name NAME --type pytest " +
        "--settings '{\"path\": \"tests/\"}'; squall verify start"));
    }
    view.appendChild(card);
    function shown(r) {
      return (!f.verifier || (names[r.verifier_uuid] || r.verifier_uuid) === f.verifier) &&
        (!f.env || r.env_name === f.env) && (!f.status || r.status === f.status) &&
        (!f.tag || (r.tags || []).indexOf(f.tag) >= 0) && (!f.since || (r.created_at || "") >= f.since);
    }
    function draw() {
      table.innerHTML = "";
      table.appendChild(el("thead", {}, [el("tr", {}, ["", "Verification", "Verifier", "Env", "Status", "Tests",
        "Passed", "Failed", "Skipped", "Tags", "Created"].map(function (h) { return el("th", {text: h}); }))]));
      table.appendChild(el("tbody", {}, runs.filter(shown).map(function (r) {
        var box = el("input", {type: "checkbox", "data-uuid": r.uuid, onchange: function () {
          picked[r.uuid] = box.checked; compare.disabled = Object.keys(picked).filter(function (k) {
            return picked[k]; }).length < 2; }});
        box.checked = !!picked[r.uuid];
        return el("tr", {"data-uuid": r.uuid, cls: r.status === "finished" ? "" : "bad"}, [el("td", {}, [box]),
          el("td", {}, [el("a", {href: "#/verification/" + r.uuid, text: r.uuid.slice(0, 8)})]),
          el("td", {text: names[r.verifier_uuid] || r.verifier_uuid}), el("td", {text: r.env_name || "-"}),
          el("td", {text: r.status}), el("td", {cls: "num", text: String(r.tests_count)}),
          el("td", {cls: "num", text: String(r.success)}), el("td", {cls: "num", text: String(r.failures)}),
          el("td", {cls: "num", text: String(r.skipped)}), el("td", {text: (r.tags || []).join(", ")}),
          el("td", {text: (r.created_at || "").slice(0, 19).replace("T", " ")})]);
      })));
      compare.disabled = Object.keys(picked).filter(function (k) { return picked[k]; }).length < 2;
    }
    draw();
  }

  /* -- environments ------------------------------------------------------- */
  function renderEnvs(envs) {
    var card = el("div", {cls: "card"});
    if (!envs.length) {
      card.appendChild(empty("No environment yet.", "Make one from your OpenStack credentials (OS_* variables): " +
        "squall env create --name NAME --from-sysenv; or from a spec file: squall env create --name NAME " +
        "--spec spec.yaml"));
    }
    card.appendChild(el("table", {id: "envs"}, [el("thead", {}, [el("tr", {}, ["Name", "Default", "Platforms", "Created"]
      .map(function (h) { return el("th", {text: h}); }))]), el("tbody", {}, envs.map(function (e) {
        return el("tr", {}, [el("td", {text: e.name}), el("td", {text: e.default ? "yes" : ""}),
          el("td", {text: Object.keys(e.spec).join(", ") || "-"}), el("td", {text: e.created_at.slice(0, 19)})]);
      }))]));
    view.appendChild(card);
  }

  /* -- deployments and their per-node history ----------------------------- */
  function renderRuns(runs) {
    var card = el("div", {cls: "card"});
    var envs = {};
    runs.forEach(function (r) { if (r.env_name) envs[r.env_name] = 1; });
    var envSel = el("select", {name: "run-env"}, [el("option", {value: "", text: "any"})].concat(
      Object.keys(envs).sort().map(function (e) { return el("option", {value: e, text: e}); })));
    var kindSel = el("select", {name: "run-kind"}, [el("option", {value: "", text: "any"}),
      el("option", {value: "graph", text: "graph"}), el("option", {value: "fault", text: "fault"})]);
    var table = el("table", {id: "runs"});
    card.appendChild(el("div", {cls: "filters"}, [el("label", {}, ["environment", envSel]),
                                                  el("label", {}, ["kind", kindSel])]));
    card.appendChild(table);
    view.appendChild(card);
    function draw() {
      var rows = runs.filter(function (r) {
        return (!envSel.value || r.env_name === envSel.value) && (!kindSel.value || r.kind === kindSel.value);
      }).reverse();
      table.innerHTML = "";
      table.appendChild(el("thead", {}, [el("tr", {}, ["Run", "Environment", "Kind", "Name", "Status", "Created",
        "Finished"].map(function (h) { return el("th", {text: h}); }))]));
      table.appendChild(el("tbody", {}, rows.map(function (r) {
        return el("tr", {"data-run": String(r.id)}, [el("td", {}, [el("a", {href: "#/history/" + r.id, text: String(r.id)})]),
          el("td", {text: r.env_name || "-"}), el("td", {text: r.kind}), el("td", {text: r.name}),
          el("td", {}, [el("span", {cls: "badge " + (r.status === "ready" ? "pass" : r.status === "error" ? "fail" : "other"),
                                    text: r.status})]),
          el("td", {text: r.created_at.slice(0, 19).replace("T", " ")}),
          el("td", {text: (r.finished_at || "").slice(0, 19).replace("T", " ")})]);
      })));
    }
    envSel.onchange = draw; kindSel.onchange = draw;
    draw();
  }

  function renderHistory(runId) {
    var card = el("div", {cls: "card"});
    var nodes = el("input", {name: "nodes", placeholder: "5,6"});
    var statuses = el("input", {name: "statuses", placeholder: "error,ready"});
    var names = el("input", {name: "task_names", placeholder: "task names"});
    var table = el("table", {id: "history"});
    var apply = el("button", {id: "apply-history", text: "Filter", onclick: function () { load(); }});
    card.appendChild(el("h2", {text: "Deployment run " + runId}));
    card.appendChild(el("div", {cls: "filters"}, [el("label", {}, ["nodes", nodes]), el("label", {}, ["statuses", statuses]),
      el("label", {}, ["task names", names]), apply]));
    card.appendChild(table);
    view.appendChild(card);
    function list(v) { return v.split(",").map(function (x) { return x.trim(); }).filter(Boolean); }
    function load() {
      var args = {run_id: Number(runId), include_summary: true};
      if (nodes.value) args.nodes = list(nodes.value).map(Number);
      if (statuses.value) args.statuses = list(statuses.value);
      if (names.value) args.task_names = list(names.value);
      call("GET", "deployment/history", args).then(function (rows) {
        table.innerHTML = "";
        table.appendChild(el("thead", {}, [el("tr", {}, ["Id", "Node", "Task", "Status", "Start", "End", "rc", "Output"]
          .map(function (h) { return el("th", {text: h}); }))]));
        table.appendChild(el("tbody", {}, rows.map(function (r) {
          var s = r.summary || {};
          function t(x) { return x ? new Date(x * 1000).toISOString().slice(11, 23) : ""; }
          return el("tr", {"data-node": String(r.node_id), "data-status": r.status}, [el("td", {text: String(r.id)}),
            el("td", {text: String(r.node_id)}), el("td", {text: r.task_name}), el("td", {text: r.status}),
            el("td", {text: t(r.time_start)}), el("td", {text: t(r.time_end)}),
            el("td", {text: s.rc === undefined || s.rc === null ? "" : String(s.rc)}),
            el("td", {text: ((s.stdout || "") + (s.stderr || "")).slice(-120)})]);
        })));
      }).catch(showError);
    }
    load();
  }

  function route() {
    clear();
    var parts = location.hash.replace(/^#\/?/, "").split("/");
    document.querySelectorAll("header nav a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-nav") === (parts[0] || "tasks")); });
    var page = parts[0] || "tasks";
    if (page === "tasks") call("GET", "task/list").then(renderTasks).catch(showError);
    else if (page === "envs") call("GET", "env/list").then(renderEnvs).catch(showError);
    else if (page === "task") showReport(call("GET", "results/report", {task_ids: [parts[1]]}));
    else if (page === "compare") showReport(call("GET", "results/compare", {task_a: parts[1], task_b: parts[2], html: true}));
    else if (page === "trends") showReport(call("GET", "results/trends", {task_ids: parts[1].split(","), html: true}));
    else if (page === "live") renderLive(parts[1]);
    else if (page === "deploys") call("GET", "deployment/runs").then(renderRuns).catch(showError);
    else if (page === "history") renderHistory(parts[1]);
    else if (page === "verifications") Promise.all([call("GET", "verification/list"), call("GET", "verifier/list")])
      .then(renderVerifications).catch(showError);
    else if (page === "verification") showReport(call("GET", "verification/report", {uuids: [parts[1]]}));
    else if (page === "vcompare") showReport(call("GET", "verification/report", {uuids: parts[1].split(",")}));
  }
  window.addEventListener("hashchange", route);
  fetch("/health").then(function (r) { return r.json(); })
    .then(function (h) { statusBox.textContent = "service " + h.status; });
  route();
})();
