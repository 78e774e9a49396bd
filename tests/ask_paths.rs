//! An ask takes one of two first steps depending on where the actor runs (see
//! `ReplyReceiver::ready_after_yield`): on a current-thread runtime the asker yields before it
//! listens for the answer; elsewhere it listens first. Both must deliver every answer, whether
//! the actor answers in its first turn or later, and whatever runtime the asker is on.

use std::time::Duration;

use actors::{Actor, ActorError, ActorSystem, AskError, Context, Reply};

/// How the actor answers.
enum Ask {
    /// Within its turn.
    Now(u32, Reply<u32>),
    /// After this many yields of its own: a later turn, with no timer involved.
    AfterYields(u32, usize, Reply<u32>),
    /// After a timer.
    AfterSleep(u32, Duration, Reply<u32>),
    /// From another task, after the handler returned.
    FromTask(u32, Reply<u32>),
    /// Never: the reply is dropped.
    Dropped(Reply<u32>),
}

struct Answerer;

impl Actor for Answerer {
    type Msg = Ask;

    async fn handle(&mut self, msg: Ask, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            Ask::Now(n, reply) => {
                let _ = reply.send(n);
            }
            Ask::AfterYields(n, yields, reply) => {
                for _ in 0..yields {
                    tokio::task::yield_now().await;
                }
                let _ = reply.send(n);
            }
            Ask::AfterSleep(n, pause, reply) => {
                tokio::time::sleep(pause).await;
                let _ = reply.send(n);
            }
            Ask::FromTask(n, reply) => {
                tokio::spawn(async move {
                    tokio::task::yield_now().await;
                    let _ = reply.send(n);
                });
            }
            Ask::Dropped(reply) => drop(reply),
        }
        Ok(())
    }
}

#[track_caller]
fn assert_answered(answer: Result<u32, AskError>, expected: u32) {
    assert!(matches!(answer, Ok(n) if n == expected), "{answer:?}");
}

/// Every way of answering, asked in turn, each answer checked.
async fn ask_every_way(actor: &actors::ActorRef<Answerer>, rounds: u32) {
    for n in 0..rounds {
        let limit = Duration::from_secs(10);
        assert_answered(actor.ask_timeout(|r| Ask::Now(n, r), limit).await, n);
        let later = actor.ask_timeout(|r| Ask::AfterYields(n, 3, r), limit);
        assert_answered(later.await, n);
        let pause = Duration::from_millis(1);
        let timed = actor.ask_timeout(|r| Ask::AfterSleep(n, pause, r), limit);
        assert_answered(timed.await, n);
        assert_answered(actor.ask_timeout(|r| Ask::FromTask(n, r), limit).await, n);
        let dropped = actor.ask_timeout(Ask::Dropped, limit).await;
        assert!(matches!(dropped, Err(AskError::NoReply)), "{dropped:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn asks_on_a_current_thread_runtime_are_answered_in_the_first_turn_or_later() {
    let system = ActorSystem::new("ask").unwrap();
    let actor = system.spawn(Answerer).unwrap();
    // From the future given to `block_on`, then from a spawned task.
    ask_every_way(&actor, 20).await;
    let from_task = tokio::spawn({
        let actor = actor.clone();
        async move { ask_every_way(&actor, 20).await }
    });
    from_task.await.unwrap();
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_ask_on_a_current_thread_runtime_still_times_out() {
    let system = ActorSystem::new("ask").unwrap();
    let actor = system.spawn(Answerer).unwrap();
    let late = actor
        .ask_timeout(
            |r| Ask::AfterSleep(1, Duration::from_secs(2), r),
            Duration::from_secs(1),
        )
        .await;
    assert!(
        matches!(late, Err(AskError::Timeout(t)) if t == Duration::from_secs(1)),
        "{late:?}"
    );
    // The actor is still there and answers the next one.
    assert_answered(actor.ask(|r| Ask::Now(2, r)).await, 2);
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asks_on_a_multi_thread_runtime_are_answered_in_the_first_turn_or_later() {
    let system = ActorSystem::new("ask").unwrap();
    let actor = system.spawn(Answerer).unwrap();
    let askers: Vec<_> = (0..4)
        .map(|_| {
            let actor = actor.clone();
            tokio::spawn(async move { ask_every_way(&actor, 50).await })
        })
        .collect();
    for asker in askers {
        asker.await.unwrap();
    }
    system.shutdown().await.unwrap();
}

#[test]
fn an_actor_on_a_current_thread_runtime_answers_askers_on_another_runtime() {
    let local = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let system = ActorSystem::new("ask").unwrap();
    let actor = {
        let _entered = local.enter();
        system.spawn(Answerer).unwrap()
    };
    // The actor's runtime runs on its own thread until the test is done.
    let (done, until_done) = tokio::sync::oneshot::channel::<()>();
    let driver = std::thread::spawn(move || {
        local.block_on(async {
            let _ = until_done.await;
        });
        local
    });
    let elsewhere = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    elsewhere.block_on(async {
        let asker = tokio::spawn({
            let actor = actor.clone();
            async move { ask_every_way(&actor, 50).await }
        });
        asker.await.unwrap();
    });
    // And from a second current-thread runtime, on this thread.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(ask_every_way(&actor, 50));
    done.send(()).unwrap();
    let local = driver.join().unwrap();
    local.block_on(system.shutdown()).unwrap();
}

#[test]
fn an_actor_on_a_multi_thread_runtime_answers_an_asker_on_a_current_thread_one() {
    let pool = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let system = ActorSystem::new("ask").unwrap();
    let actor = {
        let _entered = pool.enter();
        system.spawn(Answerer).unwrap()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(ask_every_way(&actor, 50));
    pool.block_on(system.shutdown()).unwrap();
}
