//! Procedural macros of `actors`.
//!
//! `#[actor]` and `#[derive(Message)]` are not implemented yet; until they are, actors are
//! written by hand against `actors_core::Actor` (see the facade crate's documentation).
