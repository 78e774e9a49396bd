//! [`Pool`]: N workers of one actor type under a supervisor, with routing and backpressure.

use std::future::{Future, poll_fn};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};
use std::task::Poll;
use std::time::Duration;

use crate::mailbox::chan;
use crate::reply::Reply;
use crate::{
    Actor, ActorRef, ActorSystem, AdminError, AskError, ChildSpec, SendError, StartError, Strategy,
    Supervisor, SupervisorRef, TrySendError,
};

/// The largest pool accepted (each worker is an actor with its own mailbox).
pub const MAX_POOL_SIZE: usize = 1 << 20;

fn check_size(size: usize) -> Result<(), PoolError> {
    match size {
        0 => Err(PoolError::ZeroSize),
        n if n > MAX_POOL_SIZE => Err(PoolError::TooLarge {
            requested: n,
            max: MAX_POOL_SIZE,
        }),
        _ => Ok(()),
    }
}

/// How a [`Pool`] picks the worker for a job sent without a key.
///
/// Jobs sent with a key (`submit_keyed`, `ask_keyed`) always go by the key's hash: the same
/// key reaches the same worker slot, also after that worker restarts (a restart keeps the
/// actor and its mailbox), until the pool is resized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Routing {
    /// Each job to the next worker in turn (skipping full mailboxes while another has room).
    #[default]
    RoundRobin,
    /// Each job to the worker with the fewest messages waiting.
    LeastLoaded,
}

/// What a pool could not do.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum PoolError {
    /// A pool has at least one worker.
    #[error("a pool needs at least one worker")]
    ZeroSize,
    /// More workers than [`MAX_POOL_SIZE`].
    #[error("a pool of {requested} workers is above the maximum {max}")]
    TooLarge {
        /// The size asked for.
        requested: usize,
        /// The largest accepted.
        max: usize,
    },
    /// Its supervisor (or a worker) could not start.
    #[error(transparent)]
    Start(#[from] StartError),
    /// A resize could not start or remove a worker.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// The pool was shut down.
    #[error("the pool is shut down")]
    Closed,
    /// [`Pool::shutdown_timeout`] gave up waiting for the queues: the workers were killed.
    #[error("the pool's workers did not finish their queues within {0:?}: they were killed")]
    ShutdownTimedOut(Duration),
}

/// Configures a [`Pool`]; from [`Pool::builder`].
pub struct PoolBuilder<A: Actor> {
    factory: Arc<dyn Fn() -> A + Send + Sync>,
    size: usize,
    routing: Routing,
    strategy: Strategy,
    intensity: Option<(u32, Duration)>,
    mailbox: usize,
}

impl<A: Actor> std::fmt::Debug for PoolBuilder<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("size", &self.size)
            .field("routing", &self.routing)
            .field("strategy", &self.strategy)
            .field("intensity", &self.intensity)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

impl<A: Actor> PoolBuilder<A> {
    /// How many workers (4 unless set; at least 1).
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// How jobs without a key pick their worker ([`Routing::RoundRobin`] unless set).
    pub fn routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// The supervisor's strategy ([`Strategy::OneForOne`] unless set: a failing worker is
    /// restarted alone).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The supervisor's restart intensity (its defaults unless set).
    pub fn intensity(mut self, max_restarts: u32, within: Duration) -> Self {
        self.intensity = Some((max_restarts, within));
        self
    }

    /// Each worker's mailbox capacity (the actor's
    /// [`MAILBOX_CAPACITY`](Actor::MAILBOX_CAPACITY) unless set).
    pub fn mailbox(mut self, capacity: usize) -> Self {
        self.mailbox = capacity;
        self
    }

    /// Starts the pool's supervisor, named `name` under the system's root, and its workers
    /// (`worker-0`, `worker-1`, ...); returns once every worker ran `started`.
    ///
    /// # Errors
    ///
    /// [`PoolError::ZeroSize`] or [`PoolError::TooLarge`], or [`PoolError::Start`] if a worker failed to start (the
    /// started ones are stopped) or the spec is invalid (a zero mailbox, a bad name).
    pub async fn start(self, system: &ActorSystem, name: &str) -> Result<Pool<A>, PoolError> {
        check_size(self.size)?;
        let mut blueprint = Supervisor::new(self.strategy);
        if let Some((max, within)) = self.intensity {
            blueprint = blueprint.intensity(max, within);
        }
        let spec = |k: u64| {
            let factory = self.factory.clone();
            ChildSpec::worker(format!("worker-{k}"), move || factory()).mailbox(self.mailbox)
        };
        let blueprint = blueprint.children((0..self.size as u64).map(spec));
        let sup = system.start_supervisor(name, blueprint).await?;
        let workers: Slots<A> = Arc::new(
            sup.children()
                .iter()
                .filter_map(|child| Some((child.id().into(), child.downcast::<A>()?)))
                .collect(),
        );
        Ok(Pool {
            inner: Arc::new(PoolInner {
                sup,
                initial: Arc::clone(&workers),
                changed: AtomicBool::new(false),
                workers: RwLock::new(workers),
                routing: self.routing,
                cursor: AtomicUsize::new(0),
                next_id: AtomicU64::new(self.size as u64),
                factory: self.factory,
                mailbox: self.mailbox,
                closed: AtomicBool::new(false),
                resizing: tokio::sync::Mutex::new(()),
                ask_timeout: system.ask_timeout(),
            }),
        })
    }
}

/// N workers of one actor type under a supervisor: jobs are routed to a worker, wait for
/// room when every worker is full (backpressure), and survive their worker's restart (the
/// worker's mailbox does).
///
/// A told job (`submit`) whose handler fails is reported like any failure (an
/// [`EventKind::Failed`](crate::EventKind::Failed) with the worker's path; the failures
/// journal keeps it); an asked one (`ask`) gets the error back, or is retried once on
/// another worker with [`ask_retrying`](Pool::ask_retrying). Jobs queued behind a failure
/// stay queued for the restarted worker. Nothing is dropped without an error to someone.
///
/// Cloning is cheap; every clone is the same pool.
///
/// # Examples
///
/// ```
/// use actors_core::{Actor, ActorError, ActorSystem, Context, Pool, Reply};
///
/// struct Squarer;
///
/// impl Actor for Squarer {
///     type Msg = (u64, Reply<u64>);
///
///     async fn handle(&mut self, (n, reply): (u64, Reply<u64>), _: &mut Context<Self>) -> Result<(), ActorError> {
///         let _ = reply.send(n * n);
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let pool = Pool::builder(|| Squarer).size(3).start(&system, "squarers").await?;
/// assert_eq!(pool.ask(|reply| (7, reply)).await?, 49);
/// pool.shutdown().await;
/// system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub struct Pool<A: Actor> {
    inner: Arc<PoolInner<A>>,
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<A: Actor> std::fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("path", self.inner.sup.path())
            .field("size", &self.size())
            .field("routing", &self.inner.routing)
            .finish_non_exhaustive()
    }
}

struct PoolInner<A: Actor> {
    sup: SupervisorRef,
    /// The workers the pool started with, read without a lock until its first resize: a
    /// read lock and a clone of the table per job (four atomic read-modify-writes) cost a
    /// fifth of a one-worker pool's throughput. Kept after a resize (with the workers' handles,
    /// not their tasks) because a submit may still hold it.
    initial: Slots<A>,
    /// Set, under the write lock, before the first change of `workers` (a resize or a
    /// shutdown): from then on jobs are routed through the lock.
    changed: AtomicBool,
    /// The workers jobs may be routed to, with their child ids, in slot order: a snapshot
    /// replaced on a resize, so that a job waiting for room holds it without cloning refs.
    workers: RwLock<Slots<A>>,
    routing: Routing,
    cursor: AtomicUsize,
    /// The number of the next worker started by a resize (ids are never reused).
    next_id: AtomicU64,
    factory: Arc<dyn Fn() -> A + Send + Sync>,
    mailbox: usize,
    closed: AtomicBool,
    /// One resize (or shutdown) at a time.
    resizing: tokio::sync::Mutex<()>,
    ask_timeout: Duration,
}

impl<A: Actor> Pool<A> {
    /// A builder for a pool of workers made by `factory` (called for each worker and for each
    /// restart).
    pub fn builder(factory: impl Fn() -> A + Send + Sync + 'static) -> PoolBuilder<A> {
        PoolBuilder {
            factory: Arc::new(factory),
            size: 4,
            routing: Routing::default(),
            strategy: Strategy::OneForOne,
            intensity: None,
            mailbox: A::MAILBOX_CAPACITY,
        }
    }

    fn workers(&self) -> RwLockReadGuard<'_, Slots<A>> {
        // No user code runs under this lock.
        self.inner
            .workers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The workers jobs are routed to now: without a lock until its first change.
    fn table(&self) -> Table<'_, A> {
        if self.inner.changed.load(Ordering::Acquire) {
            Table::Locked(self.workers())
        } else {
            Table::Initial(&self.inner.initial)
        }
    }

    /// How many workers jobs are routed to now.
    pub fn size(&self) -> usize {
        self.table().len()
    }

    /// The workers, in slot order.
    pub fn worker_refs(&self) -> Vec<ActorRef<A>> {
        self.table().iter().map(|(_, w)| w.clone()).collect()
    }

    /// The supervisor of the workers.
    pub fn supervisor(&self) -> &SupervisorRef {
        &self.inner.sup
    }

    /// Messages waiting in all the workers' mailboxes.
    pub fn queued(&self) -> usize {
        self.table().iter().map(|(_, w)| w.mailbox_len()).sum()
    }

    fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// The slot an unkeyed job starts from.
    fn first_slot(&self, workers: &[(Arc<str>, ActorRef<A>)]) -> usize {
        if workers.len() == 1 {
            return 0;
        }
        // A load and a store rather than one read-modify-write: concurrent submitters may
        // share a turn now and then, which only skews the spread a little.
        let turn = self.inner.cursor.load(Ordering::Relaxed);
        self.inner
            .cursor
            .store(turn.wrapping_add(1), Ordering::Relaxed);
        match self.inner.routing {
            Routing::RoundRobin => turn % workers.len(),
            Routing::LeastLoaded => {
                // The least loaded, ties broken from a rotating start so they spread.
                let n = workers.len();
                (0..n)
                    .map(|k| (turn + k) % n)
                    .min_by_key(|&i| workers[i].1.mailbox_len())
                    .unwrap_or(0)
            }
        }
    }

    fn slot_of<K: Hash + ?Sized>(key: &K, n: usize) -> usize {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        (hasher.finish() % n as u64) as usize
    }

    /// Sends a job to a worker, waiting for room only when every worker's mailbox is full
    /// (then for the first room any of them makes).
    ///
    /// # Errors
    ///
    /// [`SendError::Closed`] with the job when the pool is shut down (or every worker is
    /// gone); [`SendError::WouldDeadlock`] when a worker of this pool submits to itself while
    /// its own mailbox is full.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits drops the job, unsent.
    pub async fn submit(&self, job: A::Msg) -> Result<(), SendError<A::Msg>> {
        // Spend tokio's cooperative budget as a waiting send would, so a submitter that always
        // finds room still yields now and then (and its workers get to run).
        tokio::task::consume_budget().await;
        // The common case, with one look at the routing table and no clone of it: room in the
        // routed worker or the next ones. (A clone per job, and a second look, cost a fifth of
        // a one-worker pool's throughput.)
        let (mut job, mut workers) = match self.try_route(job) {
            Ok(()) => return Ok(()),
            Err(Routed::Closed(job)) => return Err(SendError::Closed(job)),
            Err(Routed::Full(job, workers)) => (job, workers),
        };
        loop {
            // Every mailbox is full: take the first room any worker makes.
            let mut open = workers.iter().map(|(_, w)| w).filter(|w| !w.tx.is_closed());
            if let (Some(only), None) = (open.next(), open.next()) {
                // One worker to wait on (a pool of one, or the others are gone): room in its
                // mailbox, with no second try first and no boxing. (Both would touch the
                // channel's lock, which the worker's core takes.)
                if crate::scope::is_current(only.id()) {
                    // A worker of this pool submitting to itself with its mailbox full.
                    return Err(SendError::WouldDeadlock(job));
                }
                // `submit` has spent its unit of tokio's budget: the wait spends none (see
                // `ActorRef::tell`).
                if let Ok(permit) = tokio::task::unconstrained(only.tx.reserve()).await {
                    if self.is_closed() {
                        // Shut down while this waited: the job is not taken.
                        return Err(SendError::Closed(job));
                    }
                    permit.send(job);
                    return Ok(());
                }
            } else if let Some(permit) = tokio::task::unconstrained(first_room(&workers)).await {
                if self.is_closed() {
                    // Shut down while this waited: the job is not taken.
                    return Err(SendError::Closed(job));
                }
                permit.send(job);
                return Ok(());
            }
            // Those workers are gone (a resize or a shutdown): route again, which sees the
            // pool's present workers, or that there are none.
            tokio::task::consume_budget().await;
            (job, workers) = match self.try_route(job) {
                Ok(()) => return Ok(()),
                Err(Routed::Closed(job)) => return Err(SendError::Closed(job)),
                Err(Routed::Full(job, workers)) => (job, workers),
            };
        }
    }

    /// Sends a job to a worker with room, never waiting.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] with the job when every worker's mailbox is full;
    /// [`TrySendError::Closed`] when the pool is shut down.
    pub fn try_submit(&self, job: A::Msg) -> Result<(), TrySendError<A::Msg>> {
        match self.try_route(job) {
            Ok(()) => Ok(()),
            Err(Routed::Closed(job)) => Err(TrySendError::Closed(job)),
            Err(Routed::Full(job, _)) => Err(TrySendError::Full(job)),
        }
    }

    /// Tries each worker from the routed one; when none has room, hands the job back with the
    /// workers (their mailboxes are full); when every one is gone, with `Closed`.
    fn try_route(&self, job: A::Msg) -> Result<(), Routed<'_, A>> {
        if self.is_closed() {
            return Err(Routed::Closed(job));
        }
        let workers = self.table();
        if workers.is_empty() {
            return Err(Routed::Closed(job));
        }
        let first = self.first_slot(&workers);
        let n = workers.len();
        let mut job = job;
        let mut open = false;
        for k in 0..n {
            match workers[(first + k) % n].1.try_tell(job) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(back)) => {
                    job = back;
                    open = true;
                }
                Err(TrySendError::Closed(back)) => job = back,
            }
        }
        if !open {
            // Every worker made its final exit (its supervisor gave up, say).
            return Err(Routed::Closed(job));
        }
        Err(Routed::Full(job, workers.held()))
    }

    /// Sends a job to the worker its key hashes to, waiting for room there.
    ///
    /// # Errors
    ///
    /// As [`submit`](Self::submit).
    pub async fn submit_keyed<K: Hash + ?Sized>(
        &self,
        key: &K,
        job: A::Msg,
    ) -> Result<(), SendError<A::Msg>> {
        let mut job = job;
        loop {
            let Some(worker) = self.keyed(key) else {
                return Err(SendError::Closed(job));
            };
            match worker.tell(job).await {
                Ok(()) => return Ok(()),
                // Its slot now holds another worker (a resize): go there.
                Err(SendError::Closed(back))
                    if self.keyed(key).is_some_and(|now| now.id() != worker.id()) =>
                {
                    job = back;
                }
                Err(other) => return Err(other),
            }
        }
    }

    /// The worker a key hashes to: the same for the same key while the pool keeps its size.
    pub fn keyed<K: Hash + ?Sized>(&self, key: &K) -> Option<ActorRef<A>> {
        if self.is_closed() {
            return None;
        }
        let workers = self.table();
        let n = workers.len();
        (n > 0).then(|| workers[Self::slot_of(key, n)].1.clone())
    }

    /// Asks a worker (picked by the routing) under the system's default ask timeout.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::ask_timeout`]; [`AskError::Stopped`] when the pool is shut down.
    pub async fn ask<T, F>(&self, make: F) -> Result<T, AskError>
    where
        T: Send + 'static,
        F: FnOnce(Reply<T>) -> A::Msg,
    {
        let worker = self.pick().ok_or(AskError::Stopped)?;
        worker.ask_timeout(make, self.inner.ask_timeout).await
    }

    /// As [`ask`](Self::ask), but a job whose worker failed or was killed while handling it
    /// ([`AskError::Failed`], [`AskError::Killed`]) is asked once more, of the next worker
    /// (`make` builds the message again).
    ///
    /// # Errors
    ///
    /// The second attempt's error, or the first's when it was not a failure.
    pub async fn ask_retrying<T, F>(&self, make: F) -> Result<T, AskError>
    where
        T: Send + 'static,
        F: Fn(Reply<T>) -> A::Msg,
    {
        match self.ask(&make).await {
            Err(AskError::Failed(_) | AskError::Killed) => self.ask(&make).await,
            other => other,
        }
    }

    /// Asks the worker `key` hashes to.
    ///
    /// # Errors
    ///
    /// As [`ask`](Self::ask).
    pub async fn ask_keyed<K, T, F>(&self, key: &K, make: F) -> Result<T, AskError>
    where
        K: Hash + ?Sized,
        T: Send + 'static,
        F: FnOnce(Reply<T>) -> A::Msg,
    {
        let worker = self.keyed(key).ok_or(AskError::Stopped)?;
        worker.ask_timeout(make, self.inner.ask_timeout).await
    }

    /// The worker for the next ask: from the routed slot, the first with room in its mailbox
    /// that is not the caller itself (a worker asking its own pool); the routed one if all
    /// are full.
    fn pick(&self) -> Option<ActorRef<A>> {
        if self.is_closed() {
            return None;
        }
        let workers = self.table();
        if workers.is_empty() {
            return None;
        }
        let first = self.first_slot(&workers);
        let n = workers.len();
        let caller = crate::scope::current();
        let usable = |w: &ActorRef<A>| Some(w.id()) != caller && !w.tx.is_closed();
        let chosen = (0..n)
            .map(|k| &workers[(first + k) % n].1)
            .find(|w| usable(w) && w.tx.capacity() > 0)
            .or_else(|| {
                (0..n)
                    .map(|k| &workers[(first + k) % n].1)
                    .find(|w| usable(w))
            })
            .unwrap_or(&workers[first].1);
        Some(chosen.clone())
    }

    /// Grows or shrinks the pool to `size` workers. New workers are started under the same
    /// supervisor; removed ones (the newest first) stop taking jobs at once, handle what is
    /// queued in their mailbox, and are then stopped and deleted from the supervisor (a job
    /// that raced in after the queue emptied is reported `Undelivered`). Returns once that is
    /// done.
    ///
    /// Until its first resize a pool routes jobs without a lock, through the workers it
    /// started with; it keeps their handles (not their tasks) until it is dropped.
    ///
    /// # Errors
    ///
    /// [`PoolError::ZeroSize`] or [`PoolError::TooLarge`]; [`PoolError::Closed`] after a shutdown;
    /// [`PoolError::Admin`] if a new worker failed to start (the pool keeps the ones it has).
    pub async fn resize(&self, size: usize) -> Result<(), PoolError> {
        check_size(size)?;
        let _one_at_a_time = self.inner.resizing.lock().await;
        if self.is_closed() {
            return Err(PoolError::Closed);
        }
        while self.size() < size {
            let k = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
            let factory = self.inner.factory.clone();
            let spec = ChildSpec::worker(format!("worker-{k}"), move || factory())
                .mailbox(self.inner.mailbox);
            let child = self.inner.sup.start_child(spec).await?;
            if let Some(worker) = child.downcast::<A>() {
                let mut workers = self.write();
                self.inner.changed.store(true, Ordering::Release);
                if self.is_closed() {
                    // Shut down meanwhile (`shutdown_timeout` gave up on this resize).
                    return Err(PoolError::Closed);
                }
                Arc::make_mut(&mut *workers).push((child.id().into(), worker));
            }
        }
        while self.size() > size {
            let removed = {
                let mut workers = self.write();
                self.inner.changed.store(true, Ordering::Release);
                Arc::make_mut(&mut *workers).pop()
            };
            if let Some((id, worker)) = removed {
                Self::retire(&self.inner.sup, &id, &worker).await?;
            }
        }
        Ok(())
    }

    /// Empties the routing table (a shutdown), handing back what it held.
    fn take_table(&self) -> Slots<A> {
        let mut workers = self.write();
        self.inner.changed.store(true, Ordering::Release);
        std::mem::take(&mut *workers)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Slots<A>> {
        self.inner
            .workers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops a worker no job is routed to any more once it has handled its queue, then
    /// deletes its spec. (Not a `drain`: a drained mailbox is closed for good, so a failure
    /// during it would lose the jobs behind it; this worker is still restarted meanwhile.)
    async fn retire(sup: &SupervisorRef, id: &str, worker: &ActorRef<A>) -> Result<(), PoolError> {
        until_empty(std::slice::from_ref(worker)).await;
        match sup.terminate_child(id).await {
            Ok(()) | Err(AdminError::NotFound(_)) => {}
            Err(other) => return Err(other.into()),
        }
        match sup.delete_child(id).await {
            Ok(()) | Err(AdminError::NotFound(_)) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    /// Shuts the pool down gracefully: no new job is taken (sends fail with `Closed`), every
    /// worker handles what is queued in its mailbox (a worker that fails meanwhile is restarted
    /// and goes on with its queue), then the supervisor stops, each worker finishing the job
    /// in hand. Returns when it has. A second call waits for the first.
    pub async fn shutdown(&self) {
        let _one_at_a_time = self.inner.resizing.lock().await;
        self.inner.closed.store(true, Ordering::Release);
        let workers: Vec<ActorRef<A>> = self
            .take_table()
            .iter()
            .map(|(_, worker)| worker.clone())
            .collect();
        until_empty(&workers).await;
        self.inner.sup.stop();
        self.inner.sup.wait().await;
    }

    /// [`shutdown`](Self::shutdown), but waits at most `timeout` (on tokio's clock) for the
    /// workers to finish their queues and stop; then kills them. What was still queued is not
    /// lost silently: each ask is answered with an error, and the tells are counted as
    /// undelivered (an `Undelivered` event).
    ///
    /// # Errors
    ///
    /// [`PoolError::ShutdownTimedOut`] if the deadline passed first (the pool is shut down all
    /// the same).
    pub async fn shutdown_timeout(&self, timeout: Duration) -> Result<(), PoolError> {
        if tokio::time::timeout(timeout, self.shutdown()).await.is_ok() {
            return Ok(());
        }
        // The graceful shutdown may not have begun (a resize held the lock): close the pool
        // and forget its workers here too.
        self.inner.closed.store(true, Ordering::Release);
        drop(self.take_table());
        self.inner.sup.kill();
        self.inner.sup.wait().await;
        Err(PoolError::ShutdownTimedOut(timeout))
    }
}

/// Waits until every live worker's mailbox is empty, looking every millisecond of tokio's
/// clock (a shutdown or a resize, not a hot path).
async fn until_empty<A: Actor>(workers: &[ActorRef<A>]) {
    while workers.iter().any(|w| w.is_alive() && w.mailbox_len() > 0) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The workers with their child ids, in slot order.
type Slots<A> = Arc<Vec<(Arc<str>, ActorRef<A>)>>;

/// The routing table, as read for one job.
enum Table<'a, A: Actor> {
    /// The pool has never been resized: its first table, borrowed.
    Initial(&'a Slots<A>),
    /// Under the read lock.
    Locked(RwLockReadGuard<'a, Slots<A>>),
}

impl<'a, A: Actor> Table<'a, A> {
    /// The table, to hold while waiting for room: the lock let go of.
    fn held(self) -> Held<'a, A> {
        match self {
            Table::Initial(workers) => Held::Initial(workers),
            Table::Locked(workers) => Held::Snapshot(Arc::clone(&workers)),
        }
    }
}

impl<A: Actor> std::ops::Deref for Table<'_, A> {
    type Target = [(Arc<str>, ActorRef<A>)];

    fn deref(&self) -> &Self::Target {
        match self {
            Table::Initial(workers) => workers,
            Table::Locked(workers) => workers,
        }
    }
}

/// The routing table held across an `.await` (no lock in it).
enum Held<'a, A: Actor> {
    Initial(&'a Slots<A>),
    Snapshot(Slots<A>),
}

impl<A: Actor> std::ops::Deref for Held<'_, A> {
    type Target = [(Arc<str>, ActorRef<A>)];

    fn deref(&self) -> &Self::Target {
        match self {
            Held::Initial(workers) => workers,
            Held::Snapshot(workers) => workers,
        }
    }
}

/// Why a job was not placed without waiting.
enum Routed<'a, A: Actor> {
    /// Every live worker was full: the job, and the workers.
    Full(A::Msg, Held<'a, A>),
    /// No worker is left.
    Closed(A::Msg),
}

/// Room in whichever of `workers`' mailboxes frees first; `None` if they are all closed.
async fn first_room<A: Actor>(
    workers: &[(Arc<str>, ActorRef<A>)],
) -> Option<chan::Permit<'_, A::Msg>> {
    // Never the caller's own mailbox (a worker submitting to its own pool): only another
    // worker can make room there while it waits.
    let caller = crate::scope::current();
    let mut waiting: Vec<_> = workers
        .iter()
        .map(|(_, w)| (Some(w.id()) != caller).then(|| Box::pin(w.tx.reserve())))
        .collect();
    poll_fn(|cx| {
        let mut open = false;
        for slot in &mut waiting {
            let Some(reserve) = slot else { continue };
            match reserve.as_mut().poll(cx) {
                Poll::Ready(Ok(permit)) => return Poll::Ready(Some(permit)),
                Poll::Ready(Err(_closed)) => *slot = None,
                Poll::Pending => open = true,
            }
        }
        if open {
            Poll::Pending
        } else {
            Poll::Ready(None)
        }
    })
    .await
}
