//! Procedural macros of `actors`: [`macro@actor`], [`macro@handler`] and
//! [`derive@Message`]. Use them through the `actors` crate, whose documentation of each shows
//! what it expands to.

mod actor;
mod client;
mod message;
mod names;

use proc_macro::TokenStream;

/// Turns an inherent `impl` block into an actor: each `#[handler]` method becomes a variant
/// of a generated message enum, `Actor::handle` dispatches to it, and a typed client trait
/// gets one method per handler. See `actors::actor` for the full documentation.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, item: TokenStream) -> TokenStream {
    actor::actor(args.into(), item.into()).into()
}

/// Marks a method of an `#[actor]` block as a message handler. Outside such a block it is an
/// error. See `actors::actor`.
#[proc_macro_attribute]
pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    let _ = args;
    let item = proc_macro2::TokenStream::from(item);
    let err = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[handler]` marks a method inside an `#[actor]` impl block; add `#[actor]` to the \
         block (or remove `#[handler]`)",
    );
    actor::with_errors(item, vec![err]).into()
}

/// Generates the typed client and `From` impls of a hand-written message enum. See
/// `actors::Message`.
#[proc_macro_derive(Message, attributes(message))]
pub fn derive_message(input: TokenStream) -> TokenStream {
    message::derive(input.into()).into()
}
