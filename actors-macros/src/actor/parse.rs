//! `#[actor]`: reading the options and the `impl` block into a model, with every error the
//! macro can see itself, each spanned at the user's token.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, LitInt, Pat, Path, ReturnType, Type,
};

use crate::names;

/// The options of `#[actor(...)]`.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) msg: Option<Ident>,
    pub(crate) mailbox: Option<LitInt>,
    pub(crate) krate: Option<Path>,
}

const VALID_OPTIONS: &str = "valid options: `msg = Name`, `mailbox = N`, `crate = path`";

pub(crate) fn options(args: TokenStream) -> syn::Result<Options> {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("msg") {
            options.msg = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("mailbox") {
            let lit: LitInt = meta.value()?.parse()?;
            if lit.base10_parse::<usize>()? == 0 {
                return Err(syn::Error::new(
                    lit.span(),
                    "a mailbox holds at least 1 message",
                ));
            }
            options.mailbox = Some(lit);
        } else if meta.path.is_ident("crate") {
            options.krate = Some(meta.value()?.parse()?);
        } else {
            return Err(meta.error(format_args!("unknown `#[actor]` option; {VALID_OPTIONS}")));
        }
        Ok(())
    });
    parser.parse2(args)?;
    Ok(options)
}

/// What a handler returns, which decides how it is sent.
pub(crate) enum Returns {
    /// Nothing (or `()`): told.
    Unit,
    /// A `Result`: asked (the asker gets the `Result`), or told (an `Err` fails the instance).
    Result(Type),
    /// Any other value: asked.
    Value(Type),
}

/// One `#[handler]` method.
pub(crate) struct Handler {
    pub(crate) name: Ident,
    pub(crate) variant: Ident,
    pub(crate) is_async: bool,
    /// The arguments besides the context, in order.
    pub(crate) args: Vec<(Ident, Type)>,
    /// Where the context goes among the call's arguments, if the handler takes it.
    pub(crate) ctx_at: Option<usize>,
    pub(crate) returns: Returns,
    /// The method's own doc comment, for its variant and client method.
    pub(crate) docs: Vec<Attribute>,
}

/// The hooks of `Actor` a user may write inside the `#[actor]` block.
pub(crate) const HOOKS: &[&str] = &["started", "stopped", "on_down", "on_exit"];

/// The `impl` block, split: handlers, hooks (moved into the `Actor` impl) and the rest.
pub(crate) struct Model {
    pub(crate) item: ItemImpl,
    pub(crate) actor_name: Ident,
    pub(crate) handlers: Vec<Handler>,
    pub(crate) hooks: Vec<ImplItemFn>,
    /// After an error, whether a stub `impl Actor` (with the hooks) can still be emitted, so
    /// that uses of `Context<Self>` do not add errors of their own.
    pub(crate) stub: bool,
}

fn is_handler_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "handler")
}

/// Reads the block; errors are collected (so that one mistake does not hide the others) and
/// the block comes back with the `#[handler]` attributes removed either way.
pub(crate) fn model(mut item: ItemImpl, errors: &mut Vec<syn::Error>) -> Model {
    if let Some((_, path, _)) = &item.trait_ {
        errors.push(syn::Error::new_spanned(
            path,
            "`#[actor]` goes on an inherent `impl` block (`#[actor] impl Counter { .. }`), \
             not on a trait impl",
        ));
        // Nothing else in it is ours to check.
        return Model {
            actor_name: Ident::new("Actor", item.self_ty.span()),
            item,
            handlers: Vec::new(),
            hooks: Vec::new(),
            stub: false,
        };
    }
    let generic = !item.generics.params.is_empty() || item.generics.where_clause.is_some();
    if generic {
        errors.push(syn::Error::new_spanned(
            &item.generics,
            "`#[actor]` does not support generic actors; implement `Actor` by hand for them",
        ));
    }
    let actor_name = match &*item.self_ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.clone()),
        _ => None,
    };
    if actor_name.is_none() {
        errors.push(syn::Error::new_spanned(
            &item.self_ty,
            "`#[actor]` needs a named type, such as `impl Counter`",
        ));
    }

    let mut handlers: Vec<Handler> = Vec::new();
    let mut hooks = Vec::new();
    let mut kept = Vec::new();
    for impl_item in std::mem::take(&mut item.items) {
        let ImplItem::Fn(mut method) = impl_item else {
            kept.push(impl_item);
            continue;
        };
        let marks: Vec<Attribute> = method
            .attrs
            .iter()
            .filter(|a| is_handler_attr(a))
            .cloned()
            .collect();
        method.attrs.retain(|a| !is_handler_attr(a));
        let name = method.sig.ident.to_string();
        if marks.is_empty() {
            if HOOKS.contains(&name.as_str()) {
                // A trait item has no visibility of its own.
                method.vis = syn::Visibility::Inherited;
                hooks.push(method);
                continue;
            }
            if name == "handle" {
                errors.push(syn::Error::new(
                    method.sig.ident.span(),
                    "`#[actor]` writes `handle` itself (it dispatches to the `#[handler]` \
                     methods); rename this method",
                ));
            }
            kept.push(ImplItem::Fn(method));
            continue;
        }
        for extra in marks.iter().skip(1) {
            errors.push(syn::Error::new(extra.span(), "`#[handler]` is given twice"));
        }
        if let syn::Meta::List(list) = &marks[0].meta {
            errors.push(syn::Error::new(
                list.span(),
                "`#[handler]` takes no arguments",
            ));
        }
        if HOOKS.contains(&name.as_str()) || name == "handle" {
            errors.push(syn::Error::new(
                method.sig.ident.span(),
                format!(
                    "`{name}` is a lifecycle hook of `Actor`, not a message handler: remove \
                     `#[handler]` (hooks written in this block go into the generated `Actor` impl)"
                ),
            ));
        } else if let Some(handler) = handler(&method, &item.self_ty, errors) {
            let twin = |a: &Ident, b: &Ident| *b == format!("{a}_timeout");
            if let Some(other) = handlers
                .iter()
                .find(|h| twin(&h.name, &handler.name) || twin(&handler.name, &h.name))
            {
                errors.push(syn::Error::new(
                    handler.name.span(),
                    format!(
                        "handlers `{}` and `{}` would clash in the typed client (each handler \
                         `x` also gets `x_timeout`); rename one",
                        other.name, handler.name
                    ),
                ));
            } else if let Some(first) = handlers.iter().find(|h| h.variant == handler.variant) {
                errors.push(syn::Error::new(
                    handler.name.span(),
                    format!(
                        "handlers `{}` and `{}` would both become the message variant `{}`",
                        first.name, handler.name, handler.variant
                    ),
                ));
            } else {
                handlers.push(handler);
            }
        }
        kept.push(ImplItem::Fn(method));
    }
    item.items = kept;
    Model {
        // Only missing after an error was reported: then nothing is generated from it.
        stub: actor_name.is_some() && !generic,
        actor_name: actor_name.unwrap_or_else(|| Ident::new("Actor", item.self_ty.span())),
        item,
        handlers,
        hooks,
    }
}

/// Checks one `#[handler]` method and describes it.
fn handler(method: &ImplItemFn, actor: &Type, errors: &mut Vec<syn::Error>) -> Option<Handler> {
    let sig = &method.sig;
    let before = errors.len();
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "a handler cannot be generic: each handler is one variant of a concrete message enum",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new(
            unsafety.span(),
            "a handler cannot be `unsafe`",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new(
            variadic.span(),
            "a handler cannot be variadic",
        ));
    }
    if let Some(message) = names::reserved(&sig.ident.to_string()) {
        errors.push(syn::Error::new(sig.ident.span(), message));
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(receiver))
            if receiver.reference.is_some() && receiver.mutability.is_some() => {}
        Some(FnArg::Receiver(receiver)) => errors.push(syn::Error::new_spanned(
            receiver,
            "a handler takes `&mut self`: it runs with exclusive access to the actor's state",
        )),
        _ => errors.push(syn::Error::new(
            sig.ident.span(),
            "a handler is a method taking `&mut self` first",
        )),
    }
    let mut args = Vec::new();
    let mut ctx_at = None;
    for (position, input) in inputs.enumerate() {
        let FnArg::Typed(typed) = input else { continue };
        if is_context_ref(&typed.ty) {
            errors.push(syn::Error::new_spanned(
                &typed.ty,
                "the context is taken as `&mut Context<Self>`",
            ));
            continue;
        }
        if is_context(&typed.ty) {
            if ctx_at.is_some() {
                errors.push(syn::Error::new(
                    typed.ty.span(),
                    "the context is taken twice",
                ));
            }
            ctx_at = Some(position);
            continue;
        }
        let name = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    "a handler argument needs a plain name: it becomes a field of the message",
                ));
                continue;
            }
        };
        if name == "reply" {
            errors.push(syn::Error::new(
                name.span(),
                "`reply` is the name of the generated reply field; rename this argument",
            ));
        }
        for (taken, what) in [
            ("timeout", "the deadline of the client's `_timeout` method"),
            ("ctx", "the context in the generated `handle`"),
        ] {
            if name == taken {
                errors.push(syn::Error::new(
                    name.span(),
                    format!("`{taken}` is the name of {what}; rename this argument"),
                ));
            }
        }
        match &*typed.ty {
            Type::Reference(reference) => errors.push(syn::Error::new_spanned(
                reference,
                "a handler argument is taken by value: a message cannot borrow from its sender \
                 (use an owned type, such as `String` for `&str`)",
            )),
            Type::ImplTrait(bound) => errors.push(syn::Error::new_spanned(
                bound,
                "a handler argument cannot be `impl Trait`: it is a field of the message enum \
                 (use a concrete type or a `Box<dyn Trait + Send>`)",
            )),
            _ => {}
        }
        args.push((name, concrete(&typed.ty, actor, errors)));
    }
    let returns = match &sig.output {
        ReturnType::Default => Returns::Unit,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(tuple) if tuple.elems.is_empty() => Returns::Unit,
            Type::ImplTrait(bound) => {
                errors.push(syn::Error::new_spanned(
                    bound,
                    "a handler cannot return `impl Trait`: the value travels in a `Reply<T>` \
                     (use a concrete type)",
                ));
                Returns::Unit
            }
            Type::Path(path)
                if path.qself.is_none()
                    && path
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "Result") =>
            {
                Returns::Result(concrete(ty, actor, errors))
            }
            _ => Returns::Value(concrete(ty, actor, errors)),
        },
    };
    if errors.len() > before {
        return None;
    }
    let variant = names::upper_camel(&sig.ident);
    let Some(variant) = names::ident(&variant, sig.ident.span()) else {
        errors.push(syn::Error::new(
            sig.ident.span(),
            "this name cannot name a message variant",
        ));
        return None;
    };
    let docs = method
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    Some(Handler {
        name: sig.ident.clone(),
        variant,
        is_async: sig.asyncness.is_some(),
        args,
        ctx_at,
        returns,
        docs,
    })
}

/// `ty` with `Self` replaced by the actor's type: in the message enum `Self` would mean the
/// enum, in the client the `ActorRef`. `Self::Item` paths are refused.
fn concrete(ty: &Type, actor: &Type, errors: &mut Vec<syn::Error>) -> Type {
    struct Replace<'a> {
        actor: &'a Type,
        errors: Vec<syn::Error>,
    }
    impl VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(path) = ty {
                if path.qself.is_none() && path.path.is_ident("Self") {
                    *ty = self.actor.clone();
                    return;
                }
                if path
                    .path
                    .segments
                    .first()
                    .is_some_and(|s| s.ident == "Self")
                {
                    self.errors.push(syn::Error::new_spanned(
                        &path.path,
                        "name the actor's type here instead of `Self::`: the message enum and \
                         the client are other types",
                    ));
                    return;
                }
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut replace = Replace {
        actor,
        errors: Vec::new(),
    };
    let mut ty = ty.clone();
    replace.visit_type_mut(&mut ty);
    errors.extend(replace.errors);
    ty
}

/// `&Context<..>`: the context by shared reference, a likely slip for `&mut`.
fn is_context_ref(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    reference.mutability.is_none()
        && matches!(&*reference.elem, Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Context"))
}

/// `&mut Context<..>` (any path ending in `Context`).
fn is_context(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    if reference.mutability.is_none() {
        return false;
    }
    matches!(&*reference.elem, Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "Context"))
}
