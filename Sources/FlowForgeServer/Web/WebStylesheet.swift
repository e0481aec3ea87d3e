/// The one stylesheet. System fonts (no font host); colours chosen for at least 4.5:1 contrast; one column
/// under 720px so every page works on a phone; visible focus rings for keyboard use.
enum WebStylesheet {
    static let css = """
        :root { --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
          --accent: #0b5cad; --accent-fg: #ffffff; --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; --run: #0b5cad;
          --log-bg: #0d1117; --log-fg: #e6edf3; }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: var(--fg); background: var(--bg); }
        body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, main:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
        pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; overflow-x: auto; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: var(--accent-fg); padding: .5rem 1rem; z-index: 10; }
        .skip:focus { left: 0; }
        .top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: var(--fg); }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
        nav a { text-decoration: none; padding: .25rem 0; }
        nav a[aria-current="page"] { font-weight: 700; border-bottom: 2px solid var(--accent); }
        .signout { margin-left: auto; display: flex; align-items: center; gap: .5rem; }
        .who { color: var(--muted); font-size: .9rem; }
        main { flex: 1; width: 100%; max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
        .foot { border-top: 1px solid var(--line); padding: 1rem 1.5rem; color: var(--muted); font-size: .9rem; }
        h1 { font-size: 1.8rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.3rem; }
        .muted { color: var(--muted); }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; background: var(--bg); }
        .narrow { max-width: 28rem; margin: 1rem auto; }
        .button { display: inline-block; padding: .55rem 1rem; border: 1px solid var(--line); border-radius: 6px; background: var(--panel);
          color: var(--fg); text-decoration: none; font: inherit; cursor: pointer; }
        .button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
        .button.danger { color: var(--bad); }
        .link { background: none; border: none; color: var(--accent); text-decoration: underline; font: inherit; cursor: pointer; padding: 0; }
        form label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
        input[type=email], input[type=password], input[type=text], select, textarea { width: 100%; padding: .5rem; border: 1px solid #8c959f;
          border-radius: 6px; font: inherit; }
        form .button { margin-top: 1rem; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; }
        .choice { font-weight: normal; display: flex; gap: .5rem; align-items: baseline; }
        .inline { display: inline; }
        .inline .button, .inline button { margin-top: 0; }
        .error { color: var(--bad); border-left: 4px solid var(--bad); padding: .5rem .75rem; background: #fff5f5; }
        .notice { border-left: 4px solid var(--accent); padding: .5rem .75rem; background: #f0f6fc; }
        .hero { padding: 2rem 0 1rem; }
        .hero h1 { font-size: 2.4rem; }
        .lead { font-size: 1.15rem; max-width: 46rem; }
        .features, .examples, .plans, .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
        .examples pre { margin: 0; }
        .plan ul { padding-left: 1.2rem; }
        .price { font-size: 1.5rem; font-weight: 700; margin: 0; }
        table { width: 100%; border-collapse: collapse; }
        th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .table-wrap { overflow-x: auto; }
        .status { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
        .status-success { color: var(--ok); } .status-failed, .status-error { color: var(--bad); }
        .status-running { color: var(--run); } .status-pending, .status-canceled, .status-skipped { color: var(--muted); }
        meter { width: 100%; height: 1rem; }
        .chart { width: 100%; max-width: 36rem; height: auto; }
        .chart .bar { fill: var(--accent); } .chart text { fill: var(--muted); font-size: 11px; }
        .key { font-family: ui-monospace, monospace; word-break: break-all; background: var(--panel); padding: .5rem; border-radius: 6px; }
        .steps { list-style: none; padding: 0; }
        .steps li { display: flex; justify-content: space-between; gap: 1rem; padding: .4rem 0; border-bottom: 1px solid var(--line); }
        .log { background: var(--log-bg); color: var(--log-fg); border-radius: 6px; padding: .5rem 0; overflow-x: auto; font-family: ui-monospace, monospace;
          font-size: .85rem; margin: 0; counter-reset: line; }
        .log .line { display: block; padding: 0 1rem 0 0; white-space: pre-wrap; word-break: break-word; }
        .log .line > a { display: inline-block; width: 3.5rem; padding-right: .75rem; text-align: right; color: #8b949e; text-decoration: none; user-select: none; }
        .log .line:target { background: #2d333b; }
        .log .step-head { color: #79c0ff; font-weight: 700; }
        .ansi-bold { font-weight: 700; } .ansi-red { color: #ff7b72; } .ansi-green { color: #7ee787; } .ansi-yellow { color: #e3b341; }
        .ansi-blue { color: #79c0ff; } .ansi-magenta { color: #d2a8ff; } .ansi-cyan { color: #56d4dd; } .ansi-white { color: #ffffff; }
        .ansi-black { color: #8b949e; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
        .filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
        .filters label { margin: 0; }
        .filters select { width: auto; }
        @media (max-width: 720px) {
          .top { padding: .75rem 1rem; } main { padding: 1rem; } .signout { margin-left: 0; }
          .hero h1 { font-size: 1.8rem; } .steps li { flex-direction: column; gap: 0; }
          .hide-narrow { display: none; }
        }
        """
}
