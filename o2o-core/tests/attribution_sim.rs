//! On the simulator, data-driven attribution (Markov, Shapley) ranks channels by their true
//! incremental effect better than last touch does.
#![allow(clippy::unwrap_used)]

use o2o_core::attribution::JourneyConfig;
use o2o_core::attribution::compare::compare_on_campaign;
use o2o_core::sim::{SimConfig, simulate};

#[test]
fn data_driven_models_rank_channels_better_than_last_touch() {
    let cfg = SimConfig {
        customers: 20_000,
        ..SimConfig::default()
    };
    let campaign = simulate(&cfg).unwrap();
    let cmp = compare_on_campaign(&campaign, &JourneyConfig::default()).unwrap();
    println!("{}", cmp.table("true incr. visitors"));
    let last = cmp.spearman_of("last").unwrap();
    let markov = cmp.spearman_of("markov1").unwrap();
    let shapley = cmp.spearman_of("shapley").unwrap();
    assert!(markov > last, "markov {markov} vs last {last}");
    assert!(shapley > last, "shapley {shapley} vs last {last}");
}
