//! `examples/counter.rs` (hand-written) and `examples/counter_macro.rs` (`#[actor]`) behave
//! identically: the same scenario gives the same transcript.

#[path = "../examples/counter.rs"]
#[allow(dead_code, unreachable_pub)]
mod by_hand;

#[path = "../examples/counter_macro.rs"]
#[allow(dead_code, unreachable_pub)]
mod by_macro;

#[tokio::test(start_paused = true)]
async fn the_hand_written_and_the_generated_counter_print_the_same_transcript() {
    common::quiet_panics();
    let by_hand = by_hand::transcript().await;
    let by_macro = by_macro::transcript().await;
    assert_eq!(by_hand, by_macro);
    assert_eq!(
        by_hand,
        [
            "get = Ok(6)",
            "take(4) = Ok(Ok(2))",
            "take(9) = Ok(Err(Underflow { asked: 9, total: 2 }))",
            "get = Ok(2)",
            "after the crash: get = Ok(10)",
            "generation = 2",
        ]
    );
}

mod common;
