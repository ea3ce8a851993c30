//! The discrete controller's decisions (`docs/model.md` §2, "The discrete
//! controller"): perception with lag and deadband, sensitization (with
//! adaptation), the response held until the next tick.

use super::engine::{EPS, Run};

impl Run<'_> {
    /// A decision, if one is due. Runs right after [`Self::rebuild`], so
    /// `cfg.w` holds the gains in force now, and then brings the held
    /// drives up to date ([`Self::apply_input`]).
    pub(super) fn controller_tick(&mut self) {
        let (Some(ctl), Some(c)) = (&self.m.controller, self.ctl.as_mut()) else {
            return;
        };
        if c.tick as f64 * ctl.period > self.t + EPS {
            return;
        }
        let n = self.n;
        let lag = match &self.m.hotline {
            Some(h) if self.hotline_on => h.lag.unwrap_or(ctl.lag),
            _ => ctl.lag,
        };
        let cap = ctl
            .lag
            .max(self.m.hotline.as_ref().and_then(|h| h.lag).unwrap_or(0))
            + 2;
        // Keep at most `cap` states, recycling the oldest one's storage.
        let mut x_now = Vec::new();
        while c.history.len() >= cap {
            x_now = c.history.pop_front().unwrap_or_default();
        }
        x_now.clear();
        x_now.extend_from_slice(&self.s[..n]);
        c.history.push_back(x_now);
        // y[k] = x(t_{k-d}); before t = 0 the actors see x(0).
        if (c.tick as usize) < lag {
            c.y.copy_from_slice(self.m.initial.as_slice());
        } else {
            c.y.copy_from_slice(&c.history[c.history.len() - 1 - lag]);
        }
        if c.has_perceived {
            c.prev.copy_from_slice(&c.perceived);
        } else {
            c.prev.copy_from_slice(&c.y);
        }
        for j in 0..n {
            c.perceived[j] = if (c.y[j] - c.prev[j]).abs() >= ctl.deadband {
                c.y[j]
            } else {
                c.prev[j]
            };
        }
        c.has_perceived = true;
        let ratio = ctl.derivative / ctl.period;
        for j in 0..n {
            let moved = c.perceived[j] - c.prev[j];
            // With adaptation, movement is judged against the movement seen
            // lately: s_j[k-1] before this decision, then updated.
            let scale = match &ctl.adaptation {
                Some(ad) => {
                    let scale = ad.baseline / c.adapt[j].max(ad.floor);
                    c.adapt[j] = (1.0 - ad.memory) * c.adapt[j] + ad.memory * moved.abs();
                    scale
                }
                None => 1.0,
            };
            c.phi[j] = c.perceived[j] + ratio * moved * scale;
        }
        let w = &self.cfg.w;
        for i in 0..n {
            let row = &w[i * n..(i + 1) * n];
            let mut ui = 0.0;
            for (&wij, &pj) in row.iter().zip(&c.phi) {
                ui += wij * pj;
            }
            for (q, &(v, acc)) in self.pairs.iter().enumerate() {
                if v == i {
                    ui += row[acc] * self.s[n + q];
                }
            }
            // Hidden stocks are perceived as part of their owners' intensity.
            let s0 = self.cfg.stock_at();
            for (k, st) in self.cfg.stocks.iter().enumerate() {
                if st.actor != i {
                    ui += row[st.actor] * st.weight * self.s[s0 + k];
                }
            }
            if let Some(sat) = ctl.saturation {
                ui = ui.clamp(-sat, sat);
            }
            c.u[i] = ui;
        }
        c.tick += 1;
        self.apply_input();
    }
}
