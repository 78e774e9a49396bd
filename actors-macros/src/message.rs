//! `#[derive(Message)]` on a hand-written message enum: the same typed client and `From`
//! impls as `#[actor]` generates, read from the variants.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Path, PathArguments, Type};

use crate::actor::with_errors;
use crate::client::{self, Field, Kind, Variant};
use crate::names;

const VALID_OPTIONS: &str = "valid options: `crate = path`";

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<DeriveInput>(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    let mut errors = Vec::new();
    let mut krate: Path = syn::parse_quote!(::actors);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("message")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                krate = meta.value()?.parse()?;
                Ok(())
            } else {
                Err(meta.error(format_args!("unknown `#[message]` option; {VALID_OPTIONS}")))
            }
        });
        if let Err(err) = parsed {
            errors.push(err);
        }
    }
    let Data::Enum(data) = &input.data else {
        let err = syn::Error::new(
            input.ident.span(),
            "`#[derive(Message)]` goes on a message enum, one variant per message",
        );
        return err.to_compile_error();
    };
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new(
            input.generics.span(),
            "`#[derive(Message)]` does not support generic message enums",
        ));
    }
    let msg = &input.ident;
    let mut variants = Vec::new();
    for v in &data.variants {
        let Some(method) = names::ident(&names::snake(&v.ident), v.ident.span()) else {
            errors.push(syn::Error::new(
                v.ident.span(),
                "this name cannot name a client method",
            ));
            continue;
        };
        if let Some(message) = names::reserved(&method.to_string()) {
            errors.push(syn::Error::new(v.ident.span(), message));
            continue;
        }
        let mut fields = Vec::new();
        let mut reply: Option<Type> = None;
        let tuple = matches!(v.fields, Fields::Unnamed(_));
        for (i, field) in v.fields.iter().enumerate() {
            let name = field
                .ident
                .clone()
                .unwrap_or_else(|| format_ident!("arg{}", i, span = field.ty.span()));
            if let Some(answer) = reply_of(&field.ty) {
                if reply.is_some() {
                    errors.push(syn::Error::new(
                        field.ty.span(),
                        "a message carries at most one `Reply`",
                    ));
                }
                reply = Some(answer);
                fields.push(Field::Reply(name));
            } else {
                fields.push(Field::Arg(name, Box::new(field.ty.clone())));
            }
        }
        let doc = match &reply {
            Some(_) => format!("Asks with [`{msg}::{}`] and returns the answer.", v.ident),
            None => format!(
                "Tells [`{msg}::{}`] (waits for room in the mailbox).",
                v.ident
            ),
        };
        variants.push(Variant {
            method,
            variant: v.ident.clone(),
            fields,
            tuple,
            kind: match reply {
                Some(answer) => Kind::Ask(answer),
                None => Kind::Tell,
            },
            doc,
        });
    }
    if !errors.is_empty() {
        return with_errors(quote!(), errors);
    }
    client::expand(
        &client::Target {
            krate: &krate,
            vis: &input.vis,
            msg,
            client: &names::client_of(msg),
            actor: None,
        },
        &variants,
    )
}

/// `T` for a field of type `Reply<T>` (any path ending in `Reply`).
fn reply_of(ty: &Type) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Reply" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    })
}
