//! ractor 0.16: `Actor` impls (`pre_start` builds the state, `handle` takes each message),
//! `Actor::spawn`, `cast` (ractor's mailboxes are unbounded: a cast never waits) and `call`.
//! ractor has no supervisor type: as its docs show, a supervisor is an actor that spawns its
//! children with `spawn_linked` and decides in `handle_supervisor_evt`. Here it respawns the
//! failed child (E, F), or stops the other nine and respawns all ten in order (G). A respawned
//! child is a new actor with a new `ActorRef` and an empty mailbox, so the client asks the
//! supervisor for the new reference before it asks the child.

use std::time::Instant;

use ractor::{Actor, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};

use crate::bench::{self, Latencies, Outcome, STARTED, Workload};

struct Counter;

enum CountMsg {
    Inc(u64),
    Get(RpcReplyPort<u64>),
}

impl Actor for Counter {
    type Msg = CountMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(
        &self,
        _myself: ActorRef<CountMsg>,
        _: (),
    ) -> Result<u64, ActorProcessingErr> {
        STARTED.tick();
        Ok(0)
    }

    async fn handle(
        &self,
        _myself: ActorRef<CountMsg>,
        msg: CountMsg,
        total: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            CountMsg::Inc(n) => *total += n,
            CountMsg::Get(reply) => {
                let _ = reply.send(*total);
            }
        }
        Ok(())
    }
}

async fn get(counter: &ActorRef<CountMsg>) -> u64 {
    counter
        .call(CountMsg::Get, None)
        .await
        .expect("counter alive")
        .unwrap()
}

async fn spawn_counter() -> ActorRef<CountMsg> {
    Actor::spawn(None, Counter, ()).await.expect("spawn").0
}

pub fn run(workload: Workload) -> Outcome {
    match workload {
        // Unbounded mailboxes: A64 and A1024 are the same run.
        Workload::A64 | Workload::A1024 => bench::run(workload, tell()),
        Workload::B => bench::run(workload, ask()),
        Workload::C => bench::run(workload, idle(bench::IDLE)),
        Workload::D => bench::run(workload, fan_in()),
        Workload::E => bench::run(workload, restart(|| WorkMsg::Panic)),
        Workload::F => bench::run(workload, restart(|| WorkMsg::Fail)),
        Workload::G => bench::run(workload, one_for_all()),
        other => unreachable!("ractor does not run {other:?}"),
    }
}

async fn tell() -> Outcome {
    let counter = spawn_counter().await;
    let start = Instant::now();
    for i in 0..bench::MESSAGES {
        counter.cast(CountMsg::Inc(i)).expect("counter alive");
    }
    assert_eq!(get(&counter).await, bench::MESSAGES_SUM);
    Outcome::throughput(bench::MESSAGES, start.elapsed())
}

async fn ask() -> Outcome {
    let counter = spawn_counter().await;
    let mut lat = Latencies::with_capacity(bench::ASKS);
    for i in 0..bench::ASK_WARMUP + bench::ASKS {
        let start = Instant::now();
        std::hint::black_box(get(&counter).await);
        if i >= bench::ASK_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}

/// `Actor::spawn` for each (it returns once `pre_start` ran); `stop` each, then await each
/// join handle.
async fn idle(n: usize) -> Outcome {
    STARTED.expect(n);
    let before = bench::rss_bytes();
    let start = Instant::now();
    let mut actors = Vec::with_capacity(n);
    for _ in 0..n {
        actors.push(Actor::spawn(None, Counter, ()).await.expect("spawn"));
    }
    STARTED.reached().await;
    let per_actor = (bench::rss_bytes() - before) as f64 / n as f64;
    for (actor, _) in &actors {
        actor.stop(None);
    }
    for (_, handle) in actors {
        handle.await.expect("actor task");
    }
    Outcome::time_and_memory(start.elapsed(), per_actor)
}

async fn fan_in() -> Outcome {
    let counter = spawn_counter().await;
    let start = Instant::now();
    let producers: Vec<_> = (0..bench::PRODUCERS)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..bench::EACH {
                    counter.cast(CountMsg::Inc(1)).expect("counter alive");
                }
            })
        })
        .collect();
    for p in producers {
        p.await.expect("producer");
    }
    assert_eq!(get(&counter).await, bench::PRODUCERS * bench::EACH);
    Outcome::throughput(bench::PRODUCERS * bench::EACH, start.elapsed())
}

/// Fails as told; answers a ping with the number of its instance.
struct Worker;

enum WorkMsg {
    Panic,
    Fail,
    Ping(RpcReplyPort<u64>),
}

impl Actor for Worker {
    type Msg = WorkMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(
        &self,
        _myself: ActorRef<WorkMsg>,
        _: (),
    ) -> Result<u64, ActorProcessingErr> {
        Ok(bench::new_instance())
    }

    async fn handle(
        &self,
        _myself: ActorRef<WorkMsg>,
        msg: WorkMsg,
        instance: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            WorkMsg::Panic => panic!("{}", bench::PANIC_MSG),
            WorkMsg::Fail => Err("bench failure".into()),
            WorkMsg::Ping(reply) => {
                let _ = reply.send(*instance);
                Ok(())
            }
        }
    }
}

async fn spawn_worker(
    supervisor: &ActorRef<SupMsg>,
) -> Result<ActorRef<WorkMsg>, ActorProcessingErr> {
    Ok(Actor::spawn_linked(None, Worker, (), supervisor.get_cell())
        .await?
        .0)
}

async fn ping(worker: &ActorRef<WorkMsg>) -> u64 {
    worker
        .call(WorkMsg::Ping, None)
        .await
        .expect("worker alive")
        .unwrap()
}

/// The answer of the one_for_all supervisor: the generation of its group and the children.
type GroupReply = RpcReplyPort<(u64, Vec<ActorRef<WorkMsg>>)>;

/// What the clients ask the supervisors: the children once they are newer than what the
/// client knows (the generation of the group, or the id of the one child).
enum SupMsg {
    ReplacedChild(ActorId, RpcReplyPort<ActorRef<WorkMsg>>),
    Generation(u64, GroupReply),
}

/// Restarts its one child whenever it fails.
struct OneForOne;

struct OneState {
    child: ActorRef<WorkMsg>,
    waiting: Vec<RpcReplyPort<ActorRef<WorkMsg>>>,
}

impl Actor for OneForOne {
    type Msg = SupMsg;
    type State = OneState;
    type Arguments = ();

    async fn pre_start(
        &self,
        myself: ActorRef<SupMsg>,
        _: (),
    ) -> Result<OneState, ActorProcessingErr> {
        Ok(OneState {
            child: spawn_worker(&myself).await?,
            waiting: Vec::new(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<SupMsg>,
        msg: SupMsg,
        state: &mut OneState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            SupMsg::ReplacedChild(old, reply) if state.child.get_id() == old => {
                state.waiting.push(reply);
            }
            SupMsg::ReplacedChild(_, reply) => {
                let _ = reply.send(state.child.clone());
            }
            SupMsg::Generation(..) => unreachable!("one child, no generations"),
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupMsg>,
        event: SupervisionEvent,
        state: &mut OneState,
    ) -> Result<(), ActorProcessingErr> {
        if let SupervisionEvent::ActorFailed(who, _) = event
            && who.get_id() == state.child.get_id()
        {
            state.child = spawn_worker(&myself).await?;
            for reply in state.waiting.drain(..) {
                let _ = reply.send(state.child.clone());
            }
        }
        Ok(())
    }
}

/// Restarts all its children whenever one fails: stops the others (in reverse order), waits
/// for them, then spawns the ten again in order.
struct OneForAll;

struct AllState {
    children: Vec<ActorRef<WorkMsg>>,
    generation: u64,
    waiting: Vec<GroupReply>,
}

impl Actor for OneForAll {
    type Msg = SupMsg;
    type State = AllState;
    type Arguments = ();

    async fn pre_start(
        &self,
        myself: ActorRef<SupMsg>,
        _: (),
    ) -> Result<AllState, ActorProcessingErr> {
        let mut children = Vec::with_capacity(bench::GROUP);
        for _ in 0..bench::GROUP {
            children.push(spawn_worker(&myself).await?);
        }
        Ok(AllState {
            children,
            generation: 1,
            waiting: Vec::new(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<SupMsg>,
        msg: SupMsg,
        state: &mut AllState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            SupMsg::Generation(known, reply) if known >= state.generation => {
                state.waiting.push(reply);
            }
            SupMsg::Generation(_, reply) => {
                let _ = reply.send((state.generation, state.children.clone()));
            }
            SupMsg::ReplacedChild(..) => unreachable!("a group, not one child"),
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupMsg>,
        event: SupervisionEvent,
        state: &mut AllState,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisionEvent::ActorFailed(who, _) = event else {
            return Ok(());
        };
        if !state.children.iter().any(|c| c.get_id() == who.get_id()) {
            return Ok(());
        }
        let others: Vec<_> = state
            .children
            .iter()
            .rev()
            .filter(|c| c.get_id() != who.get_id())
            .collect();
        for child in &others {
            child.stop(None);
        }
        for child in &others {
            let _ = child.wait(None).await;
        }
        let mut children = Vec::with_capacity(bench::GROUP);
        for _ in 0..bench::GROUP {
            children.push(spawn_worker(&myself).await?);
        }
        state.children = children;
        state.generation += 1;
        for reply in state.waiting.drain(..) {
            let _ = reply.send((state.generation, state.children.clone()));
        }
        Ok(())
    }
}

async fn restart(fail: fn() -> WorkMsg) -> Outcome {
    bench::quiet_bench_panics();
    let (supervisor, _) = Actor::spawn(None, OneForOne, ()).await.expect("supervisor");
    let replaced =
        |old: ActorId| supervisor.call(move |reply| SupMsg::ReplacedChild(old, reply), None);
    // No child has this id: the answer is the current child.
    let mut worker = replaced(supervisor.get_id())
        .await
        .expect("supervisor")
        .unwrap();
    let mut last = ping(&worker).await;
    let mut lat = Latencies::with_capacity(bench::RESTARTS);
    for i in 0..bench::RESTART_WARMUP + bench::RESTARTS {
        let start = Instant::now();
        worker.cast(fail()).expect("worker alive");
        worker = replaced(worker.get_id())
            .await
            .expect("supervisor")
            .unwrap();
        let instance = ping(&worker).await;
        assert!(instance > last, "answered by a new instance");
        last = instance;
        if i >= bench::RESTART_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}

async fn one_for_all() -> Outcome {
    let (supervisor, _) = Actor::spawn(None, OneForAll, ()).await.expect("supervisor");
    let newer = |known: u64| supervisor.call(move |reply| SupMsg::Generation(known, reply), None);
    let (mut generation, mut children) = newer(0).await.expect("supervisor").unwrap();
    let mut lat = Latencies::with_capacity(bench::GROUP_RESTARTS);
    for i in 0..bench::GROUP_WARMUP + bench::GROUP_RESTARTS {
        let start = Instant::now();
        children[0].cast(WorkMsg::Fail).expect("worker alive");
        (generation, children) = newer(generation).await.expect("supervisor").unwrap();
        for child in &children {
            std::hint::black_box(ping(child).await);
        }
        if i >= bench::GROUP_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}
