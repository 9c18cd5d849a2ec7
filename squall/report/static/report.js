/* squall HTML report: renders the embedded JSON with uPlot; fetches nothing. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var KIND = document.body.getAttribute("data-kind");
  var COLORS = ["#2f6fde", "#e07b00", "#1a9e5a", "#b83280", "#6b46c1", "#0f8a94", "#c62828", "#7a5c00",
                "#3949ab", "#5d8c00", "#ad1457", "#00695c"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function num(v, digits) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "n/a";
    if (typeof v !== "number") return String(v);
    return v.toLocaleString("en-US", {maximumFractionDigits: digits === undefined ? 3 : digits,
                                     minimumFractionDigits: digits === undefined ? 3 : Math.min(digits, 3)});
  }
  function badge(pass) {
    if (pass === true) return el("span", {cls: "badge pass", text: "PASS"});
    if (pass === false) return el("span", {cls: "badge fail", text: "FAIL"});
    return el("span", {cls: "badge other", text: "n/a"});
  }
  function table(headers, rows, numeric) {
    var head = el("tr", {}, headers.map(function (h, i) {
      return el("th", {cls: numeric && numeric[i] ? "num" : "", text: h});
    }));
    var body = rows.map(function (r) {
      var tr = el("tr", {cls: r.cls || ""}, r.cells.map(function (c, i) {
        var td = el("td", {cls: numeric && numeric[i] ? "num" : ""});
        if (c instanceof Node) td.appendChild(c); else td.textContent = c;
        return td;
      }));
      return tr;
    });
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]);
  }
  function kpi(label, value) {
    return el("div", {cls: "kpi"}, [el("div", {cls: "v", text: value}), el("div", {cls: "k", text: label})]);
  }

  /* Hook runs as shaded bands (red when failed) with a line at each start. */
  function hookBands(runs, t0) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          runs.forEach(function (r) {
            var x0 = u.valToPos(r.started_at - t0, "x", true);
            var x1 = u.valToPos(Math.max(r.finished_at, r.started_at) - t0, "x", true);
            var top = u.bbox.top, h = u.bbox.height;
            ctx.fillStyle = r.status === "success" ? "rgba(47,111,222,0.10)" : "rgba(198,40,40,0.14)";
            ctx.fillRect(x0, top, Math.max(x1 - x0, 1), h);
            ctx.strokeStyle = r.status === "success" ? "rgba(47,111,222,0.9)" : "rgba(198,40,40,0.9)";
            ctx.lineWidth = 1.5;
            ctx.beginPath(); ctx.moveTo(x0, top); ctx.lineTo(x0, top + h); ctx.stroke();
          });
          ctx.restore();
        }]
      }
    };
  }

  /* A duration unit for values up to maxSeconds: keeps 3 significant digits readable (0.000 never shows). */
  function unitFor(maxSeconds) {
    var m = Math.abs(maxSeconds || 0);
    if (m > 0 && m < 1e-3) return {name: "µs", scale: 1e6};
    if (m > 0 && m < 1) return {name: "ms", scale: 1e3};
    return {name: "s", scale: 1};
  }
  function scaled(values, unit) {
    return values.map(function (v) { return v === null || v === undefined ? v : v * unit.scale; });
  }
  function dur(v, unit) { return v === null || v === undefined ? "n/a" : short(v * unit.scale); }
  /* part of whole as a percentage with the digits it needs: 99.95% is not 100.0% */
  function pctOf(part, whole) {
    if (!whole) return "n/a";
    var pct = 100 * part / whole;
    if (part === 0 || part === whole) return pct.toFixed(0) + "%";
    for (var d = 1; d <= 4; d++) {
      var shown = Number(pct.toFixed(d));
      if (shown > 0 && shown < 100) return pct.toFixed(d) + "%";
    }
    return pct.toFixed(5) + "%";
  }

  /* Descriptions come from docstrings in reStructuredText: show their text, not their markup. */
  function plainText(rst) {
    return String(rst || "").replace(/:[a-z]+:`([^`]*)`/g, "$1").replace(/``([^`]*)``/g, "$1")
      .replace(/`([^`]*)`_?/g, "$1").replace(/\*\*([^*]+)\*\*/g, "$1").replace(/\*([^*]+)\*/g, "$1");
  }

  function short(v) {
    if (v === null || v === undefined) return "";
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1000) return v.toLocaleString("en-US", {maximumFractionDigits: 0});
    return Number(v.toPrecision(3)).toString();
  }
  function axisValues(u, vals) { return vals.map(short); }

  function chart(parent, title, xs, series, opts) {
    opts = opts || {};
    var box = el("div", {cls: "chart", "data-chart": title}, [el("div", {cls: "title", text: title})]);
    parent.appendChild(box);
    if (!xs.length) { box.appendChild(el("div", {cls: "empty", text: "no data"})); return; }
    var width = Math.max(Math.floor(box.getBoundingClientRect().width) - 18, 300);
    var plugins = opts.hooks && opts.hooks.length ? [hookBands(opts.hooks, opts.t0)] : [];
    var xaxis = {label: opts.xlabel || "seconds since the load started", values: axisValues};
    if (opts.xlabels) {  /* categorical x (runs): one tick per point, labelled */
      xaxis.splits = function () { return xs; };
      xaxis.values = function (u, vals) { return vals.map(function (v) { return opts.xlabels[v - 1] || ""; }); };
    }
    var axes = [xaxis,
                {label: opts.ylabel || "", values: axisValues, size: 60}];
    var scales = {x: {time: false}};
    if (opts.xrange) scales.x.range = function () { return opts.xrange; };
    /* categorical x: half a step of room at each end, so the first and last labels are not cut */
    if (opts.xlabels) scales.x.range = function () { return [0.5, xs.length + 0.5]; };
    var second = series.filter(function (s) { return s.scale; })[0];
    if (second) {
      scales[second.scale] = {auto: true};
      axes.push({scale: second.scale, side: 1, label: second.label, values: axisValues, size: 50,
                 grid: {show: false}});
    }
    var u = new uPlot({
      width: width, height: 220, plugins: plugins, scales: scales, axes: axes, legend: {live: false},
      series: [{label: opts.xlabel || "s"}].concat(series.map(function (s, i) {
        return {label: s.label, stroke: s.color || COLORS[i % COLORS.length], width: 1.5, scale: s.scale || "y",
                dash: s.dash || undefined,
                fill: s.fill || undefined, spanGaps: false, paths: s.bars ? uPlot.paths.bars({size: [0.9]}) : undefined};
      }))
    }, [xs].concat(series.map(function (s) { return s.values; })), box);
    box.uplot = u;
  }

  /* A hook run's error: squall's {exception_name, description} or Rally's {etype, msg} (an imported run). */
  function hookError(error) {
    if (!error) return "";
    var kind = error.exception_name || error.etype, message = error.description || error.msg || "";
    return kind && kind !== "n/a" ? kind + ": " + message : message;
  }
  function statRows(row, depth, out, unit) {
    var d = row.data;
    out.push({cls: d.success !== "100.0%" ? "bad" : "", cells: [
      (depth ? "\u00a0\u00a0".repeat(depth) + "› " : "") + row.display_name, dur(d.min, unit), dur(d.median, unit),
      dur(d["90%ile"], unit), dur(d["95%ile"], unit), dur(d["99%ile"], unit), dur(d.max, unit), dur(d.avg, unit),
      d.success, String(d.iteration_count)]});
    (row.children || []).forEach(function (c) { statRows(c, depth + 1, out, unit); });
    return out;
  }
  function workloadUnit(wl) {
    var total = (((wl.statistics || {}).durations || {}).total || {}).data || {};
    return unitFor(typeof total.max === "number" ? total.max : 1);
  }
  /* One row per workload of every task, at the top: what Rally's and Locust's overviews show. */
  function renderOverview(main) {
    var rows = [];
    DATA.tasks.forEach(function (task, ti) {
      task.subtasks.forEach(function (sub) {
        sub.workloads.forEach(function (wl) {
          var total = (((wl.statistics || {}).durations || {}).total || {}).data || {};
          var unit = workloadUnit(wl);
          var link = el("a", {href: "#t" + ti + "-w" + wl.position, text: wl.name});
          rows.push({cls: wl.pass_sla === false ? "bad" : "", cells: [
            link, String(wl.position), num(wl.iterations, 0), num(wl.failures, 0), num(wl.rate, 1),
            dur(total.median, unit) + " " + unit.name, dur(total["95%ile"], unit) + " " + unit.name,
            badge(wl.pass_sla)]});
        });
      });
    });
    var block = el("section", {cls: "block", id: "overview"}, [el("h2", {text: "Overview"})]);
    block.appendChild(table(["Workload", "#", "Iterations", "Failures", "Iterations/s", "Median", "p95", "SLA"],
                            rows, [0, 1, 1, 1, 1, 1, 1, 0]));
    main.appendChild(block);
  }

  function renderOutputs(section, wl) {
    var outs = wl.series.outputs || [];
    if (!outs.length) return;
    section.appendChild(el("h3", {text: "Scenario output"}));
    var additive = {};
    outs.forEach(function (o) {
      (o.additive || []).forEach(function (c) {
        var key = c.title;
        additive[key] = additive[key] || {chart: c, rows: []};
        additive[key].rows.push({iteration: o.iteration, data: c.data});
      });
    });
    var grid = el("div", {cls: "charts"});
    section.appendChild(grid);
    Object.keys(additive).forEach(function (title) {
      var entry = additive[title];
      var names = entry.rows[0].data.map(function (p) { return String(p[0]); });
      var xs = entry.rows.map(function (r, i) { return r.iteration || i + 1; });
      chart(grid, title + " (" + entry.chart.chart_plugin + ")", xs, names.map(function (n, j) {
        return {label: n, values: entry.rows.map(function (r) { var p = r.data[j]; return p ? Number(p[1]) : null; })};
      }), {xlabel: "iteration"});
    });
    var complete = outs.filter(function (o) { return (o.complete || []).length; });
    if (complete.length) {
      var first = complete[0];
      var wrap = el("div", {cls: "block"}, [el("div", {cls: "sub",
        text: "Complete output of iteration " + first.iteration + " (" + complete.length + " iterations have one)"})]);
      first.complete.forEach(function (c) {
        if (c.chart_plugin === "Table" && c.data && c.data.cols) {
          wrap.appendChild(el("div", {cls: "title", text: c.title}));
          wrap.appendChild(table(c.data.cols, c.data.rows.map(function (r) { return {cells: r.map(String)}; })));
        } else if (c.chart_plugin === "TextArea") {
          wrap.appendChild(el("div", {cls: "title", text: c.title}));
          wrap.appendChild(el("pre", {text: [].concat(c.data).join("\n")}));
        } else if (c.chart_plugin === "Lines" || c.chart_plugin === "StackedArea") {
          var lines = c.data;
          var xs = (lines[0] && lines[0][1] || []).map(function (p) { return p[0]; });
          chart(wrap, c.title, xs, lines.map(function (l) {
            return {label: String(l[0]), values: l[1].map(function (p) { return p[1]; })};
          }), {xlabel: c.axis_label || "x"});
        } else {
          wrap.appendChild(el("div", {cls: "title", text: c.title}));
          wrap.appendChild(table(["name", "value"], (c.data || []).map(function (p) {
            return {cells: [String(p[0]), String(p[1])]};
          })));
        }
      });
      section.appendChild(wrap);
    }
  }

  function renderWorkload(main, task, wl, anchor) {
    var s = wl.series;
    var section = el("section", {cls: "workload", id: anchor, "data-workload": wl.name});
    main.appendChild(section);
    section.appendChild(el("h2", {}, [wl.name + " ", badge(wl.pass_sla)]));
    var runnerName = Object.keys(wl.runner)[0];
    var unit = workloadUnit(wl);
    section.appendChild(el("div", {cls: "sub", text: plainText(wl.description) + " · workload " + wl.position +
      " · " + runnerName + " " + JSON.stringify(wl.runner[runnerName]) + " · args " + JSON.stringify(wl.args)}));
    section.appendChild(el("div", {cls: "kpis"}, [
      kpi("iterations", num(wl.iterations, 0)), kpi("failures", num(wl.failures, 0)),
      kpi("success", wl.iterations ? num(100 * (wl.iterations - wl.failures) / wl.iterations, 1) + "%" : "n/a"),
      kpi("iterations/s", num(wl.rate, 1)), kpi("load duration (s)", num(wl.load_duration, 2)),
      kpi("full duration (s)", num(wl.full_duration, 2)), kpi("hook runs", num(wl.hooks.length, 0))]));

    section.appendChild(el("h3", {text: "Response times (" + unit.name + ")"}));
    var rows = [];
    var durations = (wl.statistics || {}).durations || {};
    (durations.atomics || []).forEach(function (a) { statRows(a, 0, rows, unit); });
    if (durations.total) statRows(durations.total, 0, rows, unit);
    var sched = (wl.statistics || {}).schedule;
    if (sched) {  /* open loop: latency from each iteration's due time, and how late it started */
      statRows({display_name: "from schedule", data: sched.from_schedule}, 1, rows, unit);
      statRows({display_name: "start lag", data: sched.start_lag}, 1, rows, unit);
    }
    section.appendChild(table(["Action", "Min", "Median", "90%ile", "95%ile", "99%ile", "Max", "Avg", "Success",
                               "Count"], rows, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    var agg = (wl.statistics || {}).aggregate;
    if (agg) {
      section.appendChild(el("p", {cls: "note", "data-results": "aggregate", text: "Results: aggregate " +
        "(--results aggregate). Workers sent per-second figures, not iterations: percentiles come from HDR " +
        "histograms, to 3 significant digits; min, max, average and counts are exact. Charts are per second " +
        "by end time; \"running\" is each second's busy time; at most " + agg.peak_concurrency +
        " were in flight at once (each worker's peak, summed)."}));
    } else if ((wl.statistics || {}).exact === false) {
      section.appendChild(el("p", {cls: "note", text: "Percentiles from a histogram, to 3 significant digits: the " +
        "workload ran more than a million iterations. Min, max, average and counts are exact."}));
    }
    if (sched && sched.late) {
      section.appendChild(el("p", {cls: "warning", text: sched.late + " of " + sched.start_lag.iteration_count +
        " iterations started more than " + dur(sched.late_after, unit) + " " + unit.name + " behind schedule (max " +
        dur(sched.start_lag.max, unit) + " " + unit.name + "); at most " + sched.max_concurrency +
        " ran at once. The load was lighter than asked; \"from schedule\" counts the wait."}));
    }
    var pcts = s.percentiles || {};
    var keys = ["50", "66", "75", "90", "95", "99", "99.9"].filter(function (k) { return k in pcts; });
    if (keys.length) {
      section.appendChild(table(keys.map(function (k) { return "p" + k; }),
        [{cells: keys.map(function (k) { return dur(pcts[k], unit); })}], keys.map(function () { return 1; })));
    }

    section.appendChild(el("h3", {text: "SLA"}));
    section.appendChild(table(["Criterion", "Result", "Detail"], wl.sla_results.map(function (r) {
      return {cls: r.success ? "" : "bad", cells: [r.criterion, badge(r.success), r.detail]};
    })));

    var checks = (wl.statistics || {}).checks || [];
    if (checks.length) {  /* each named check, counted as k6 counts them */
      var passed = 0, all = 0;
      checks.forEach(function (c) { passed += c.passed; all += c.passed + c.failed; });
      section.appendChild(el("h3", {text: "Checks: " + num(passed, 0) + " of " + num(all, 0) + " passed (" +
                                          pctOf(passed, all) + ")"}));
      section.appendChild(table(["Check", "Passed", "Failed", "Passed (%)"], checks.map(function (c) {
        return {cls: c.failed ? "bad" : "", cells: [(c.failed ? "✗ " : "✓ ") + c.name, num(c.passed, 0),
                                                   num(c.failed, 0), pctOf(c.passed, c.passed + c.failed)]};
      }), [0, 1, 1, 1]));
    }

    var grid = el("div", {cls: "charts"});
    section.appendChild(el("h3", {text: "Load and latency over time"}));
    section.appendChild(grid);
    var hookOpts = {hooks: wl.hooks, t0: s.t0};
    chart(grid, "Iteration duration (" + unit.name + "), percentile bands", s.t, [
      {label: "p50", values: scaled(s.p50, unit), color: "#2f6fde"},
      {label: "p90", values: scaled(s.p90, unit), color: "#e07b00"},
      {label: "p99", values: scaled(s.p99, unit), color: "#c62828"},
      {label: "max", values: scaled(s.max, unit), color: "#8e99ab"}], hookOpts);
    if (s.schedule) {
      chart(grid, "Latency from schedule (" + unit.name + ") by " + (s.mode === "aggregate" ? "end" : "due") +
            " time, against duration p99", s.t, [
        {label: "from schedule p50", values: scaled(s.schedule.p50, unit), color: "#2f6fde"},
        {label: "from schedule p99", values: scaled(s.schedule.p99, unit), color: "#c62828"},
        {label: "from schedule max", values: scaled(s.schedule.max, unit), color: "#8e99ab"},
        {label: "duration p99", values: scaled(s.p99, unit), color: "#e07b00"}], hookOpts);
    }
    var ended = s.mode === "aggregate";  /* figures per second, binned by end */
    var load = [
      {label: ended ? "ended/s" : "started/s", values: s.rate, color: "#1a9e5a"},
      {label: "running (mean)", values: s.concurrency, color: "#6b46c1", scale: "running"}];
    if (s.planned) {  /* the runner's stages: what was asked, beside what ran */
      load.push(s.planned.what === "users" ?
        {label: "users wanted (stages)", values: s.planned.values, color: "#333", scale: "running", dash: [6, 4]} :
        {label: "due/s (stages)", values: s.planned.values, color: "#333", dash: [6, 4]});
    }
    chart(grid, "Load: iterations " + (ended ? "ended" : "started") + " per second and running at once", s.t, load,
          hookOpts);
    if (s.failures.some(function (f) { return f > 0; })) {
      chart(grid, "Failures per bin", s.t, [{label: "failed", values: s.failures, color: "#c62828",
                                             fill: "rgba(198,40,40,0.15)"}], hookOpts);
    } else {
      grid.appendChild(el("div", {cls: "chart-line", "data-chart": "Failures per bin", text: "Failures: none"}));
    }
    var h = s.histogram;
    if (h.counts.length) {
      var mids = h.counts.map(function (_, i) { return (h.edges[i] + h.edges[i + 1]) * unit.scale / 2; });
      var half = h.counts.length ? (h.edges[1] - h.edges[0]) * unit.scale / 2 : 0;
      chart(grid, "Duration histogram (successful iterations)", mids,
            [{label: "iterations", values: h.counts, bars: true, fill: "rgba(47,111,222,0.35)"}],
            {xlabel: unit.name, ylabel: "count",
             xrange: [h.edges[0] * unit.scale - half, h.edges[h.edges.length - 1] * unit.scale + half]});
    }
    var byIt = s.by_iteration || {n: []};
    if (byIt.n.length) {
      chart(grid, "Iteration duration (" + unit.name + ") by iteration number", byIt.n, [
        {label: "p50", values: scaled(byIt.p50, unit), color: "#2f6fde"},
        {label: "p90", values: scaled(byIt.p90, unit), color: "#e07b00"},
        {label: "max", values: scaled(byIt.max, unit), color: "#8e99ab"}], {xlabel: "iteration"});
    }
    if (s.atomics.length) {
      chart(grid, "Atomic actions: mean duration (" + unit.name + ")", s.t, s.atomics.map(function (a) {
        return {label: a.name, values: scaled(a.mean, unit)};
      }), hookOpts);
      chart(grid, "Atomic actions per second, and failed iterations per second", s.t,
        s.atomics.map(function (a) { return {label: a.name + "/s", values: a.rate}; }).concat([
          {label: "failed/s", color: "#c62828",
           values: s.failures.map(function (f) { return f / (s.bin_seconds || 1); })}]), hookOpts);
      var share = el("div", {cls: "chart", "data-share": "atomic"}, [
        el("div", {cls: "title", text: "Atomic actions: share of iteration time"})]);
      s.atomics.forEach(function (a) {
        var width = Math.max(0, Math.min(100, 100 * (a.share || 0)));
        share.appendChild(el("div", {cls: "share"}, [
          el("span", {cls: "share-name", text: a.name}),
          el("span", {cls: "share-bar"}, [el("span", {style: "width:" + width.toFixed(1) + "%"})]),
          el("span", {cls: "share-value", text: width.toFixed(1) + "%"})]));
      });
      grid.appendChild(share);
    }

    section.appendChild(el("h3", {text: "Hooks"}));
    if (!wl.hooks.length) section.appendChild(el("div", {cls: "empty", text: "no hooks"}));
    else section.appendChild(table(["Action", "Trigger", "Iteration", "Start (s)", "Duration", "Status", "Error"],
      wl.hooks.map(function (r) {
        var took = r.finished_at - r.started_at, tookUnit = unitFor(took);
        return {cls: r.status === "success" ? "" : "bad", cells: [
          r.action + " " + JSON.stringify(r.args), r.triggered_by.event_type + " " + r.triggered_by.value,
          r.iteration === null || r.iteration === undefined ? "-" : String(r.iteration),
          num(r.started_at - (s.t0 || r.started_at), 3), dur(took, tookUnit) + " " + tookUnit.name, r.status,
          hookError(r.error)]};
      }), [0, 0, 1, 1, 1, 0, 0]));

    if (wl.leaks.length) {
      section.appendChild(el("h3", {cls: "leaks", text: "Left behind after clean-up (" + wl.leaks.length + ")"}));
      section.appendChild(table(["Type", "Name", "ID", "Error"], wl.leaks.map(function (r) {
        return {cls: "bad", cells: [r.type, r.name || "", r.id || "", r.error || ""]};
      })));
    }

    section.appendChild(el("h3", {text: "Failures"}));
    if (!s.error_groups.length) section.appendChild(el("div", {cls: "empty", text: "no failed iterations"}));
    else {
      section.appendChild(table(["Type", "Message", "Count", "First iteration"], s.error_groups.map(function (g) {
        return {cls: "bad", cells: [g.type, g.message, String(g.count),
                                    g.first_iteration == null ? "n/a" : String(g.first_iteration)]};
      }), [0, 0, 1, 1]));
      if (s.failures_table.length) {
        var det = el("details", {}, [el("summary", {text: "First " + s.failures_table.length + " failed iterations with tracebacks"})]);
        s.failures_table.forEach(function (f) {
          det.appendChild(el("div", {cls: "sub", text: "iteration " + f.iteration + ": " + f.type + ": " + f.message}));
          if (f.traceback) det.appendChild(el("pre", {text: f.traceback}));
        });
        section.appendChild(det);
      }
    }
    renderOutputs(section, wl);
    var cfg = {scenario: {}, runner: wl.runner, contexts: wl.contexts, sla: wl.sla};
    cfg.scenario[wl.name] = wl.args;
    section.appendChild(el("details", {}, [el("summary", {text: "Workload configuration"}),
                                           el("pre", {text: JSON.stringify(cfg, null, 2)})]));
  }

  function renderTasks() {
    var main = document.getElementById("report"), nav = document.getElementById("workload-nav");
    var meta = DATA.tasks.map(function (t) {
      return t.uuid + " · " + t.status + " · " + (t.created_at || "") + (t.env_name ? " · env " + t.env_name : "");
    });
    document.getElementById("report-meta").textContent = meta.join("   |   ");
    renderOverview(main);
    DATA.tasks.forEach(function (task, ti) {
      var head = el("section", {cls: "block", "data-task": task.uuid}, [
        el("h2", {}, [(task.title || task.uuid) + " ", badge(task.pass_sla)]),
        el("div", {cls: "sub", text: task.uuid + " · " + task.status + " · " + num(task.duration, 2) + " s" +
          (task.tags && task.tags.length ? " · tags: " + task.tags.join(", ") : "")})]);
      if (task.input_task) head.appendChild(el("details", {}, [el("summary", {text: "Task file as run"}),
                                                              el("pre", {text: task.input_task})]));
      main.appendChild(head);
      task.subtasks.forEach(function (sub) {
        sub.workloads.forEach(function (wl) {
          var anchor = "t" + ti + "-w" + wl.position;
          nav.appendChild(el("a", {href: "#" + anchor, cls: wl.pass_sla ? "pass" : "fail",
                                   text: (DATA.tasks.length > 1 ? (ti + 1) + ": " : "") + wl.name}));
          renderWorkload(main, task, wl, anchor);
        });
      });
    });
  }

  function pct(v) { return v === null || v === undefined ? "n/a" : (v > 0 ? "+" : "") + v.toFixed(1) + "%"; }

  function renderCompare() {
    var c = DATA.compare, main = document.getElementById("report");
    var block = el("section", {cls: "block", id: "comparison"}, [
      el("h2", {}, ["B against A ", c.regression ? el("span", {cls: "badge fail", text: "REGRESSION"})
                                                 : el("span", {cls: "badge pass", text: "NO REGRESSION"})]),
      el("div", {cls: "sub", text: "A: " + c.a.uuid + " (" + c.a.title + ")   B: " + c.b.uuid + " (" + c.b.title +
        ")   threshold: +" + c.max_degradation + "% on median and p95, past noise (" +
        short((c.noise_floor || 0) * 1e6) + " µs and each run's own spread), +" + c.max_failure_increase +
        " points of failure rate"})]);
    var rows = [];
    c.workloads.forEach(function (w) {
      var unit = unitFor(Math.min.apply(null, ["median", "95%ile", "max"].map(function (m) {
        return Math.min(w.metrics[m].a || Infinity, w.metrics[m].b || Infinity);
      }).filter(isFinite).concat([1])));
      ["median", "95%ile", "max"].forEach(function (m, i) {
        var x = w.metrics[m];
        var bad = x.change > c.max_degradation && !x.noise && m !== "max";
        var d = el("span", {cls: bad ? "delta-bad" : (x.change < 0 ? "delta-good" : ""),
                            text: pct(x.change) + (x.noise ? " (noise)" : "")});
        rows.push({cls: "", cells: [i ? "" : w.name, m, dur(x.a, unit) + " " + unit.name, dur(x.b, unit) + " " +
          unit.name, d, i ? "" : (w.regression ? "regression: " + w.reasons.join(", ") : "ok")]});
      });
      var f = w.metrics.failure_rate;
      rows.push({cls: f.change > c.max_failure_increase ? "bad" : "", cells: ["", "failure rate",
                 num(f.a, 2) + "%", num(f.b, 2) + "%", (f.change > 0 ? "+" : "") + f.change.toFixed(2) + " pt", ""]});
    });
    block.appendChild(table(["Workload", "Metric", "A", "B", "Change", "Verdict"], rows, [0, 0, 1, 1, 1, 0]));
    main.appendChild(block);
    renderTasks();
  }

  function renderTrends() {
    var t = DATA.trends, main = document.getElementById("report"), nav = document.getElementById("workload-nav");
    document.getElementById("report-meta").textContent = t.tasks.length + " runs, " + t.workloads.length +
      " workload configurations";
    // One unit for the whole page, from the runs' medians: every section reads alike. The maximum, which one
    // stalled iteration can put far above the rest, gets a chart of its own so it does not flatten the others.
    var medians = [];
    t.workloads.forEach(function (w) { w.runs.forEach(function (r) { if (r.median) medians.push(r.median); }); });
    medians.sort(function (a, b) { return a - b; });
    var tunit = unitFor(medians.length ? medians[Math.floor(medians.length / 2)] : 1);
    t.workloads.forEach(function (w, wi) {
      var anchor = "trend-" + wi;
      var passAll = w.runs.every(function (r) { return r.pass_sla; });
      nav.appendChild(el("a", {href: "#" + anchor, cls: passAll ? "pass" : "fail", text: w.name}));
      var section = el("section", {cls: "workload", id: anchor, "data-trend": w.hash}, [
        el("h2", {}, [w.name + " ", badge(passAll)]),
        el("div", {cls: "sub", text: "config " + w.hash + " · " + JSON.stringify(w.runner) + " · args " +
          JSON.stringify(w.args) + " · " + w.runs.length + " runs"})]);
      main.appendChild(section);
      var xs = w.runs.map(function (_, i) { return i + 1; });
      // Each run its own label: its number and start time to the second (two runs a minute apart differ).
      var labels = w.runs.map(function (r, i) {
        return "#" + (i + 1) + " " + (r.created_at || "").slice(11, 19) + (r.tags && r.tags.length ? " " + r.tags[0] : "");
      });
      var grid = el("div", {cls: "charts"});
      section.appendChild(grid);
      function runs(key) { return scaled(w.runs.map(function (r) { return r[key]; }), tunit); }
      chart(grid, "Duration (" + tunit.name + ") per run: median, p90, p95", xs, [
        {label: "median", values: runs("median")}, {label: "p90", values: runs("90%ile")},
        {label: "p95", values: runs("95%ile")}],
        {xlabel: "run", xlabels: labels});
      chart(grid, "Longest iteration (" + tunit.name + ") per run", xs, [{label: "max", values: runs("max")}],
        {xlabel: "run", xlabels: labels});
      chart(grid, "Failure rate (%) and iterations/s per run", xs, [
        {label: "failure %", values: w.runs.map(function (r) { return r.failure_rate; }), color: "#c62828"},
        {label: "iterations/s", values: w.runs.map(function (r) { return r.rate; }), color: "#1a9e5a",
         scale: "rate"}],
        {xlabel: "run", xlabels: labels});
      var u = " (" + tunit.name + ")";
      section.appendChild(table(["Run", "Task", "Date", "SLA", "Iterations", "Median" + u, "p95" + u, "Max" + u,
                                 "Failure %"],
        w.runs.map(function (r, i) {
          return {cls: r.pass_sla ? "" : "bad", cells: [String(i + 1), r.task_uuid + (r.imported ? " (imported)" : ""),
            r.created_at.slice(0, 19),
            badge(r.pass_sla), String(r.iterations), dur(r.median, tunit), dur(r["95%ile"], tunit),
            dur(r.max, tunit), num(r.failure_rate, 2)]};
        }), [1, 0, 0, 0, 1, 1, 1, 1, 1]));
    });
  }

  if (KIND === "compare") renderCompare();
  else if (KIND === "trends") renderTrends();
  else renderTasks();
  window.squallReport = {data: DATA, ready: true};
})();
