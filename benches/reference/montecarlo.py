"""Workload 3 reference: the Monte Carlo ensemble of a scenario, simulated
the way an analyst would with SciPy: `solve_ivp` (RK45, Dormand–Prince, the
same tolerances as `escalation montecarlo`) between decisions and other
scheduled events, with terminal events for rung crossings.

It reads the same TOML file as the Rust tool and implements the mechanisms
the Islamabad scenario uses (ladder presets "default" with hysteresis,
ceilings, proxies, a controller with lag, derivative, deadband and
saturation, phases with verification, breach, extension and after-gain,
spoilers with misattribution, a hotline, reversible agreements), following
the event order of `src/sim/engine.rs`. Random numbers come from NumPy, so
single runs differ from the Rust tool's; the outcome fractions agree within
their confidence intervals (printed for comparison).

    python benches/reference/montecarlo.py examples/scenarios/islamabad.toml --runs 200

Prints JSON: runs, seconds, seconds_per_run, outcome fractions.
"""

import argparse
import json
import math
import sys
import time
import tomllib

import numpy as np
from scipy.integrate import solve_ivp

EPS = 1e-9
RTOL, ATOL = 1e-7, 1e-9  # SimOptions::ensemble()
DEFAULT_LADDER = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


class Model:
    def __init__(self, sc):
        actors = sc["actor"]
        self.names = [a["name"] for a in actors]
        ix = {n: i for i, n in enumerate(self.names)}
        self.ix = ix
        n = self.n = len(actors)
        self.a = np.array([a["restraint"] for a in actors], float)
        self.g = np.array([a.get("grievance", 0.0) for a in actors], float)
        self.x0 = np.array([a.get("initial", 0.0) for a in actors], float)
        self.ceiling = [a.get("ceiling") for a in actors]
        k = np.zeros((n, n))
        for row, cols in sc.get("coupling", {}).items():
            for col, v in cols.items():
                k[ix[row], ix[col]] = v
        for i, a in enumerate(actors):
            if "patron" in a:
                c = a.get("control", 0.0)
                k[i, :] *= 1.0 - c
                self.g[i] *= 1.0 - c
        self.k = k
        self.gain = sc.get("gain", 1.0)
        self.horizon = sc["horizon"]
        self.seed = sc.get("seed", 0)
        lad = sc.get("ladder", {})
        if lad.get("preset", "default") != "default" or "rungs" in lad:
            sys.exit("this reference supports the default ladder only")
        self.bounds = DEFAULT_LADDER
        self.hyst = lad.get("hysteresis", 0.0)
        self.top = len(self.bounds) - 1
        self.ctl = sc.get("controller")
        self.phases = []
        for p in sc.get("phase", []):
            self.phases.append(
                dict(
                    name=p["name"],
                    start=p["start"],
                    end=p["end"],
                    gain=p["gain"],
                    parties=[ix[q] for q in p["parties"]],
                    verify=p.get("verify"),
                    breach_rung=p.get("breach_rung"),
                    extend=p.get("extend_days"),
                    after=p.get("after_gain"),
                )
            )
        self.phases.sort(key=lambda p: p["start"])
        sp = sc.get("spoilers")
        self.sp = None
        if sp:
            self.sp = dict(
                rate=sp["rate"],
                mag=sp["magnitude"],
                targets=[ix[t] for t in sp["targets"]],
                accused=ix[sp["accused"]],
                attribution=sp.get("attribution", 1.0),
                delay=sp.get("attribution_delay", 0.0),
            )
        self.hot = sc.get("hotline")
        self.agreements = []
        for ag in sc.get("agreement", []):
            w, t = ag["when"], ag["then"]
            self.agreements.append(
                dict(
                    watch=ix[w["actor"]],
                    below=w["below_rung"],
                    hold=w["for_days"],
                    target=ix[t["actor"]],
                    grievance=t.get("grievance"),
                    restraint=t.get("restraint"),
                    days=t["for_days"],
                    reversible=ag.get("reversible", True),
                )
            )
        self.pairs = []
        if self.sp:
            self.pairs = [(v, self.sp["accused"]) for v in self.sp["targets"] if v != self.sp["accused"]]

    def rung_of(self, x):
        r = 0
        for k, b in enumerate(self.bounds):
            if x >= b:
                r = k
        return r

    def step(self, r, x):
        while r < self.top and x >= self.bounds[r + 1]:
            r += 1
        while r > 0 and x < self.bounds[r] - self.hyst:
            r -= 1
        return r


class Run:
    def __init__(self, m, rng):
        self.m, self.rng = m, rng
        n = m.n
        self.t = 0.0
        self.s = np.concatenate([m.x0, np.zeros(len(m.pairs))])
        self.rungs = [m.rung_of(x) for x in m.x0]
        self.phase = [dict(state="pending", end=p["end"], verified=False, ext=0) for p in m.phases]
        self.ag = [dict(since=None, until=None) for _ in m.agreements]
        self.hot_on = False
        self.blames = []
        self.explosion = None
        self.verification = []
        self.tick = 0
        self.history = []
        self.perceived = None
        self.u = np.zeros(n)
        self.next_attack = self.draw_attack(0.0)
        self.rebuild()

    def draw_attack(self, t0):
        sp = self.m.sp
        if sp and sp["rate"] > 0:
            return t0 + self.rng.exponential(1.0 / sp["rate"])
        return math.inf

    def due(self, at):
        return at <= self.t + EPS

    def gains(self):
        m = self.m
        G = np.full((m.n, m.n), m.gain)
        for p, run in zip(m.phases, self.phase):
            g = {"pending": None, "active": p["gain"]}.get(run["state"], p["after"])
            if g is not None:
                for i in p["parties"]:
                    for j in p["parties"]:
                        G[i, j] = g
        return G * m.k

    def rebuild(self):
        m = self.m
        a, g = m.a.copy(), m.g.copy()
        for ag, run in zip(m.agreements, self.ag):
            if run["until"] is not None:
                if ag["grievance"] is not None:
                    g[ag["target"]] = ag["grievance"]
                if ag["restraint"] is not None:
                    a[ag["target"]] = ag["restraint"]
        self.W = self.gains()
        self.cur_a = a
        self.cur_b = g + (self.u if m.ctl else 0.0)

    def rhs(self, _t, s):
        m, n = self.m, self.m.n
        x = s[:n]
        f = -self.cur_a * x + self.cur_b
        if not m.ctl:
            f = f + self.W @ x
            for q, (v, acc) in enumerate(m.pairs):
                f[v] += self.W[v, acc] * s[n + q]
        for i, c in enumerate(m.ceiling):
            if c is not None:
                f[i] *= 1.0 - x[i] / c
        f = np.where((x <= 0.0) & (f < 0.0), 0.0, f)
        dz = [-self.cur_a[acc] * s[n + q] for q, (_, acc) in enumerate(m.pairs)]
        return np.concatenate([f, dz])

    def next_event(self):
        m, t = self.m, self.t
        c = []
        if m.ctl:
            c.append(self.tick * m.ctl["period"])
        for p, run in zip(m.phases, self.phase):
            if run["state"] == "pending":
                c.append(p["start"])
            elif run["state"] == "active":
                c.append(run["end"])
                if p["verify"] is not None and not run["verified"]:
                    c.append(p["start"] + p["verify"])
        if m.hot and not self.hot_on:
            c.append(m.hot["start"])
        c.append(self.next_attack)
        c += [b[0] for b in self.blames]
        for ag, run in zip(m.agreements, self.ag):
            if run["until"] is not None:
                c.append(run["until"])
            elif run["since"] is not None:
                c.append(run["since"] + ag["hold"])
        return min([v for v in c if v > t + EPS], default=math.inf)

    def crossing_events(self):
        m, evs = self.m, []
        for i in range(m.n):
            r = self.rungs[i]
            if r < m.top:
                up = lambda t, s, i=i, b=m.bounds[r + 1]: s[i] - b
                up.terminal, up.direction = True, 1
                evs.append(up)
            if r > 0:
                dn = lambda t, s, i=i, b=m.bounds[r] - m.hyst: s[i] - b
                dn.terminal, dn.direction = True, -1
                evs.append(dn)
        return evs

    def run(self):
        m = self.m
        for k, ag in enumerate(m.agreements):
            if self.rungs[ag["watch"]] < ag["below"]:
                self.ag[k]["since"] = 0.0
        self.process_events()
        while self.explosion is None and self.t < m.horizon - EPS:
            target = min(self.next_event(), m.horizon)
            sol = solve_ivp(
                self.rhs, (self.t, target), self.s, method="RK45", rtol=RTOL, atol=ATOL,
                events=self.crossing_events(),
            )
            if not sol.success:
                raise RuntimeError(sol.message)
            self.s = np.maximum(sol.y[:, -1], np.r_[np.zeros(m.n), np.full(len(m.pairs), -np.inf)])
            if sol.status == 1:  # a rung crossing
                self.t = sol.t[-1]
                fired = [k for k, te in enumerate(sol.t_events) if len(te)]
                self.on_rung_change(fired)
                if abs(target - self.t) > EPS:
                    continue
            self.t = target
            self.process_events()
        return self.outcome()

    def on_rung_change(self, fired):
        m = self.m
        # Which thresholds fired: force those steps (the state sits on the bound).
        evs, k = [], 0
        for i in range(m.n):
            r = self.rungs[i]
            if r < m.top:
                evs.append((i, +1))
            if r > 0:
                evs.append((i, -1))
        changes = []
        forced = {evs[f][0]: evs[f][1] for f in fired}
        for i in range(m.n):
            old = self.rungs[i]
            new = m.step(old, self.s[i])
            if i in forced and new == old:
                new = old + forced[i]
            if new != old:
                self.rungs[i] = new
                changes.append((i, new))
        for i, to in changes:
            for k, p in enumerate(m.phases):
                if self.phase[k]["state"] == "active" and i in p["parties"] and p["breach_rung"] is not None and to >= p["breach_rung"]:
                    self.collapse(k)
            self.check_agreements(i)
        if any(r >= m.top for r in self.rungs) or not np.all(np.isfinite(self.s)):
            self.explosion = self.t
        self.rebuild()

    def collapse(self, k):
        p, run = self.m.phases[k], self.phase[k]
        run["state"] = "collapsed"
        if p["verify"] is not None and not run["verified"]:
            run["verified"] = True
            self.verification.append(False)

    def check_agreements(self, actor):
        for ag, run in zip(self.m.agreements, self.ag):
            if ag["watch"] != actor:
                continue
            if self.rungs[actor] >= ag["below"]:
                run["since"] = None
                if run["until"] is not None and ag["reversible"]:
                    run["until"] = None
            elif run["since"] is None:
                run["since"] = self.t

    def process_events(self):
        m, n = self.m, self.m.n
        if m.hot and not self.hot_on and self.due(m.hot["start"]):
            self.hot_on = True
        sp = m.sp
        while sp and self.due(self.next_attack):
            at = self.next_attack
            target = sp["targets"][self.rng.integers(len(sp["targets"]))]
            hot = m.hot if self.hot_on else None
            acc = hot.get("attribution", sp["attribution"]) if hot else sp["attribution"]
            delay = hot.get("attribution_delay", sp["delay"]) if hot else sp["delay"]
            correct = target == sp["accused"] or self.rng.random() < acc
            self.blames.append((at + delay, target, None if correct else sp["accused"]))
            self.next_attack = self.draw_attack(at)
        keep = []
        for b in self.blames:
            if not self.due(b[0]):
                keep.append(b)
                continue
            _, victim, accused = b
            if accused is not None:
                q = m.pairs.index((victim, accused)) if (victim, accused) in m.pairs else None
                if q is not None:
                    self.s[n + q] += sp["mag"]
                for k, p in enumerate(m.phases):
                    if self.phase[k]["state"] == "active" and accused in p["parties"]:
                        self.collapse(k)
        self.blames = keep
        for k, p in enumerate(m.phases):
            run = self.phase[k]
            if run["state"] == "pending" and self.due(p["start"]):
                run["state"] = "active"
                if p["breach_rung"] is not None and any(self.rungs[i] >= p["breach_rung"] for i in p["parties"]):
                    self.collapse(k)
                    continue
            if run["state"] != "active":
                continue
            if p["verify"] is not None and not run["verified"] and self.due(p["start"] + p["verify"]):
                run["verified"] = True
                self.verification.append(True)
            if self.due(run["end"]):
                if p["extend"] is not None and run["end"] < m.horizon - EPS:
                    run["end"] += p["extend"]
                    run["ext"] += 1
                else:
                    run["state"] = "ended"
        for ag, run in zip(m.agreements, self.ag):
            if run["until"] is not None and self.due(run["until"]):
                run["until"] = None
                run["since"] = self.t if self.rungs[ag["watch"]] < ag["below"] else None
            if run["until"] is None and run["since"] is not None and self.due(run["since"] + ag["hold"]):
                run["until"] = self.t + ag["days"]
        self.rebuild()
        self.controller_tick()

    def controller_tick(self):
        m, n, c = self.m, self.m.n, self.m.ctl
        if not c or self.tick * c["period"] > self.t + EPS:
            return
        lag0 = c.get("lag", 0)
        lag = m.hot.get("lag", lag0) if (m.hot and self.hot_on) else lag0
        self.history.append(self.s[:n].copy())
        self.history = self.history[-(max(lag0, (m.hot or {}).get("lag", 0)) + 2):]
        y = m.x0 if self.tick < lag else self.history[-1 - lag]
        prev = y if self.perceived is None else self.perceived
        perceived = np.where(np.abs(y - prev) >= c.get("deadband", 0.0), y, prev)
        phi = perceived + c.get("derivative", 0.0) / c["period"] * (perceived - prev)
        u = self.W @ phi
        for q, (v, acc) in enumerate(m.pairs):
            u[v] += self.W[v, acc] * self.s[n + q]
        if c.get("saturation") is not None:
            u = np.clip(u, -c["saturation"], c["saturation"])
        self.u, self.perceived = u, perceived
        self.tick += 1
        self.rebuild()

    def outcome(self):
        states = [p["state"] for p in self.phase]
        if self.explosion is not None:
            o = "exploded"
        elif "collapsed" in states:
            o = "collapsed"
        elif any(p["ext"] > 0 for p in self.phase):
            o = "extended"
        elif any(s != "pending" for s in states):
            o = "expired"
        else:
            o = "none"
        return o, (all(self.verification) if self.verification else None)


def wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [max(0.0, c - h), min(1.0, c + h)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    with open(args.scenario, "rb") as f:
        m = Model(tomllib.load(f))
    seed = m.seed if args.seed is None else args.seed
    counts = dict.fromkeys(["exploded", "collapsed", "extended", "expired", "none"], 0)
    t0 = time.perf_counter()
    for r in range(args.runs):
        o, _ = Run(m, np.random.default_rng([seed, r])).run()
        counts[o] += 1
    secs = time.perf_counter() - t0
    print(json.dumps({
        "workload": "montecarlo",
        "runs": args.runs,
        "seconds": secs,
        "seconds_per_run": secs / args.runs,
        "outcomes": {k: v / args.runs for k, v in counts.items()},
        "intervals": {k: wilson(v, args.runs) for k, v in counts.items()},
    }, indent=1))


if __name__ == "__main__":
    main()
