//! The escalation ladder: rung mapping, hysteresis, presets.

use escalation::model::{KAHN_GROUPS, Ladder, Rung, RungTracker};
use proptest::prelude::*;

#[test]
fn default_ladder_bounds_and_names() {
    let l = Ladder::standard();
    assert_eq!(l.rungs().len(), 7);
    assert_eq!(l.top(), 6);
    let names: Vec<&str> = l.rungs().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Quiet",
            "Posturing",
            "Economic pressure",
            "Proxy and covert action",
            "Limited strikes",
            "Sustained strikes",
            "Regional war"
        ]
    );
    for (x, r) in [
        (0.0, 0),
        (0.99, 0),
        (1.0, 1),
        (2.5, 2),
        (5.999, 5),
        (6.0, 6),
        (100.0, 6),
        (-1.0, 0),
    ] {
        assert_eq!(l.rung_of(x), r, "x = {x}");
    }
}

#[test]
fn hysteresis_delays_stepping_down_only() {
    let l = Ladder::standard().with_hysteresis(0.25).unwrap();
    // Up at once.
    assert_eq!(l.step(2, 3.0), 3);
    // Down only below bound - hysteresis.
    assert_eq!(l.step(3, 2.9), 3);
    assert_eq!(l.step(3, 2.76), 3);
    assert_eq!(l.step(3, 2.74), 2);
    // Several rungs at once in either direction.
    assert_eq!(l.step(1, 4.5), 4);
    assert_eq!(l.step(5, 0.5), 0);
    // A tracker sees a rise, a dip inside the band, then a real fall.
    let mut tr = RungTracker::new(&l, &[2.5]);
    assert_eq!(tr.update(&l, &[3.1]), vec![(0, 2, 3)]);
    assert!(tr.update(&l, &[2.8]).is_empty());
    assert_eq!(tr.update(&l, &[2.7]), vec![(0, 3, 2)]);
}

#[test]
fn hysteresis_must_fit_the_rungs() {
    assert!(Ladder::standard().with_hysteresis(-0.1).is_err());
    assert!(Ladder::standard().with_hysteresis(1.0).is_err());
    assert!(Ladder::standard().with_hysteresis(f64::NAN).is_err());
    assert!(
        Ladder::kahn44().with_hysteresis(0.2).is_err(),
        "Kahn's rungs are 6/43 wide"
    );
}

#[test]
fn custom_rungs_are_checked() {
    let r = |name: &str, from: f64| Rung {
        name: name.into(),
        from,
        threshold: None,
    };
    assert!(Ladder::custom(vec![r("a", 0.0)]).is_err());
    assert!(Ladder::custom(vec![r("a", 0.5), r("b", 1.0)]).is_err());
    assert!(Ladder::custom(vec![r("a", 0.0), r("b", 0.0)]).is_err());
    assert!(Ladder::custom(vec![r("a", 0.0), r("", 1.0)]).is_err());
    assert!(Ladder::custom(vec![r("a", 0.0), r("b", f64::INFINITY)]).is_err());
    let l = Ladder::custom(vec![r("a", 0.0), r("b", 0.5), r("c", 10.0)]).unwrap();
    assert_eq!(l.rung_of(9.9), 1);
}

#[test]
fn kahn_ladder_has_44_rungs_7_groups_6_thresholds() {
    let l = Ladder::kahn44();
    assert_eq!(l.rungs().len(), 44);
    assert_eq!(KAHN_GROUPS.len(), 7);
    let thresholds: Vec<&str> = l
        .rungs()
        .iter()
        .filter_map(|r| r.threshold.as_deref())
        .collect();
    assert_eq!(
        thresholds,
        [
            "Don't rock the boat",
            "Nuclear war is unthinkable",
            "No nuclear use",
            "Central sanctuary",
            "Central war",
            "City targeting"
        ]
    );
    // Each threshold opens a group.
    for (name, first) in KAHN_GROUPS.iter().skip(1) {
        assert!(l.rungs()[*first].threshold.is_some(), "{name}");
    }
    assert_eq!(l.rungs()[43].name, "Spasm or insensate war");
    assert!((l.bound(43) - 6.0).abs() < 1e-12);
}

proptest! {
    /// Without hysteresis, stepping from any rung lands on the plain mapping;
    /// with it, the result is within one band of it and never below the plain rung.
    #[test]
    fn step_agrees_with_plain_mapping(x in 0.0f64..8.0, start in 0usize..7, h in 0.0f64..0.9) {
        let plain = Ladder::standard();
        prop_assert_eq!(plain.step(start, x), plain.rung_of(x));
        let hyst = Ladder::standard().with_hysteresis(h).unwrap();
        let r = hyst.step(start, x);
        prop_assert!(r >= plain.rung_of(x));
        prop_assert!(r <= plain.rung_of(x + h));
    }
}
