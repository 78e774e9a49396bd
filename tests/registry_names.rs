//! Named actors: register (idempotent for the same actor), typed lookup (a wrong type is an
//! error), names kept across restarts and freed at the final exit.

mod common;

use actors::prelude::*;
use actors::{ChildSpec, EventKind, RegistryError, Strategy, Supervisor};
use common::sup::{Cmd, Labelled, labelled, next_event};
use common::{Journal, Probe, quiet_panics};

#[tokio::test(start_paused = true)]
async fn register_is_idempotent_for_the_same_actor_and_refuses_another() {
    let system = ActorSystem::new("reg").unwrap();
    let journal = Journal::default();
    let a = system.spawn(Probe::new(&journal)).unwrap();
    let b = system.spawn(Probe::new(&journal)).unwrap();
    let registry = system.registry();
    registry.register("db", &a).unwrap();
    registry.register("db", &a).unwrap();
    assert_eq!(
        registry.register("db", &b),
        Err(RegistryError::NameTaken("db".into()))
    );
    assert_eq!(
        registry.register("", &b),
        Err(RegistryError::InvalidName(String::new()))
    );
    assert_eq!(registry.lookup::<Probe>("db").unwrap().id(), a.id());
    assert!(registry.unregister("db"));
    registry.register("db", &b).unwrap();
    assert_eq!(registry.lookup::<Probe>("db").unwrap().id(), b.id());
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_lookup_of_the_wrong_type_is_an_error_not_a_panic() {
    let system = ActorSystem::new("reg").unwrap();
    let journal = Journal::default();
    let a = system.spawn(Probe::new(&journal)).unwrap();
    system.registry().register("db", &a).unwrap();
    match system.registry().lookup::<Labelled>("db") {
        Err(RegistryError::WrongType {
            name,
            expected,
            found,
        }) => {
            assert_eq!(name, "db");
            assert!(expected.ends_with("Labelled"), "{expected}");
            assert!(found.ends_with("Probe"), "{found}");
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    assert!(matches!(
        system.registry().lookup::<Probe>("nobody"),
        Err(RegistryError::NotFound(_))
    ));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_name_survives_restarts_and_is_freed_at_the_final_exit() {
    quiet_panics();
    let system = ActorSystem::new("reg").unwrap();
    let journal = Journal::default();
    let j = journal.clone();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne).child(ChildSpec::worker("w", move || {
                Labelled::new("w", &j, Default::default())
            })),
        )
        .await
        .unwrap();
    let w = labelled(&sup, "w");
    system.registry().register("worker", &w).unwrap();
    let mut events = system.events();
    w.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    assert_eq!(
        system.registry().lookup::<Labelled>("worker").unwrap().id(),
        w.id(),
        "kept across the restart"
    );
    sup.terminate_child("w").await.unwrap();
    assert!(matches!(
        system.registry().lookup::<Labelled>("worker"),
        Err(RegistryError::NotFound(_))
    ));
    assert!(system.registry().names().is_empty());
    assert_eq!(
        system.registry().register("worker", &w),
        Err(RegistryError::ActorStopped("worker".into()))
    );
    system.shutdown().await.unwrap();
}
