//! What `#[actor]` and `#[derive(Message)]` both generate from a message enum's variants: the
//! typed client (an extension trait on `ActorRef`) and the `From` impls.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path, Type, Visibility};

/// How a variant is sent.
pub(crate) enum Kind {
    /// No reply: told.
    Tell,
    /// A `reply: Reply<R>` field: asked, answering `R`.
    Ask(Type),
    /// A `reply: Option<Reply<R>>` field where `R` is a `Result`: asked, or told with `None`
    /// (then an `Err` fails the instance).
    ResultAsk(Type),
}

/// One field of a variant, in order.
pub(crate) enum Field {
    /// An argument of the client method (named after the field, or `argN` in a tuple variant).
    Arg(Ident, Box<Type>),
    /// The reply; its field name in a variant with named fields.
    Reply(Ident),
}

/// One variant of the message enum, as the client sees it.
pub(crate) struct Variant {
    /// The client method's name.
    pub(crate) method: Ident,
    pub(crate) variant: Ident,
    pub(crate) fields: Vec<Field>,
    /// Tuple variants are built positionally.
    pub(crate) tuple: bool,
    pub(crate) kind: Kind,
    /// The doc line of the client method.
    pub(crate) doc: String,
}

/// What the client is generated for.
pub(crate) struct Target<'a> {
    pub(crate) krate: &'a Path,
    pub(crate) vis: &'a Visibility,
    pub(crate) msg: &'a Ident,
    pub(crate) client: &'a Ident,
    /// `ActorRef<T>` for a known actor; `None` for a derive, which implements the client for
    /// every `ActorRef<A>` with `A: Actor<Msg = Enum>`.
    pub(crate) actor: Option<&'a Type>,
}

impl Variant {
    /// The arguments: every field but the reply.
    pub(crate) fn args(&self) -> impl Iterator<Item = (&Ident, &Type)> {
        self.fields.iter().filter_map(|f| match f {
            Field::Arg(name, ty) => Some((name, &**ty)),
            Field::Reply(_) => None,
        })
    }

    /// The variant built from the arguments, with `reply` as the reply field's value.
    fn build(&self, msg: &Ident, reply: &TokenStream) -> TokenStream {
        let variant = &self.variant;
        let values = self.fields.iter().map(|f| match f {
            Field::Arg(name, _) if self.tuple => quote!(#name),
            Field::Arg(name, _) => quote!(#name: #name),
            Field::Reply(_) if self.tuple => reply.clone(),
            Field::Reply(name) => quote!(#name: #reply),
        });
        if self.tuple {
            quote!(#msg::#variant(#(#values),*))
        } else if self.fields.is_empty() {
            quote!(#msg::#variant {})
        } else {
            quote!(#msg::#variant { #(#values),* })
        }
    }
}

pub(crate) fn expand(target: &Target<'_>, variants: &[Variant]) -> TokenStream {
    let Target {
        krate,
        vis,
        msg,
        client,
        actor,
    } = target;
    let p = quote!(#krate::__private);
    let mut decls = Vec::new();
    let mut defs = Vec::new();
    for v in variants {
        let method = &v.method;
        let timeout = format_ident!("{}_timeout", v.method);
        let params: Vec<TokenStream> = v.args().map(|(n, t)| quote!(#n: #t)).collect();
        let doc = &v.doc;
        let timeout_doc = format!("{doc} With one deadline for the whole send (and answer).");
        let (output, timeout_output, send, send_timeout) = match &v.kind {
            Kind::Tell => {
                let built = v.build(msg, &quote!());
                (
                    quote!(::core::result::Result<(), #p::SendError<#msg>>),
                    quote!(::core::result::Result<(), #p::SendTimeoutError<#msg>>),
                    quote!(self.tell(#built)),
                    quote!(self.tell_timeout(#built, timeout)),
                )
            }
            Kind::Ask(ret) => {
                let built = v.build(msg, &quote!(reply));
                (
                    quote!(::core::result::Result<#ret, #p::AskError>),
                    quote!(::core::result::Result<#ret, #p::AskError>),
                    quote!(self.ask(move |reply| #built)),
                    quote!(self.ask_timeout(move |reply| #built, timeout)),
                )
            }
            Kind::ResultAsk(ret) => {
                let built = v.build(msg, &quote!(::core::option::Option::Some(reply)));
                (
                    quote!(::core::result::Result<#ret, #p::AskError>),
                    quote!(::core::result::Result<#ret, #p::AskError>),
                    quote!(self.ask(move |reply| #built)),
                    quote!(self.ask_timeout(move |reply| #built, timeout)),
                )
            }
        };
        decls.push(quote! {
            #[doc = #doc]
            fn #method(&self, #(#params),*)
                -> impl ::core::future::Future<Output = #output> + ::core::marker::Send;
            #[doc = #timeout_doc]
            fn #timeout(&self, #(#params,)* timeout: #p::Duration)
                -> impl ::core::future::Future<Output = #timeout_output> + ::core::marker::Send;
        });
        defs.push(quote! {
            fn #method(&self, #(#params),*)
                -> impl ::core::future::Future<Output = #output> + ::core::marker::Send {
                #send
            }
            fn #timeout(&self, #(#params,)* timeout: #p::Duration)
                -> impl ::core::future::Future<Output = #timeout_output> + ::core::marker::Send {
                #send_timeout
            }
        });
    }
    let trait_doc = format!(
        "The typed client of [`{msg}`], generated: one method per variant (an ask for those \
         that carry a reply, a tell for the others), each with a `_timeout` twin. Implemented \
         for `ActorRef`; bring it into scope with `use`."
    );
    let implementation = match actor {
        Some(actor) => quote! {
            #[allow(private_interfaces, private_bounds)]
            impl #client for #p::ActorRef<#actor> { #(#defs)* }
        },
        None => quote! {
            #[allow(private_interfaces, private_bounds)]
            impl<A> #client for #p::ActorRef<A> where A: #p::Actor<Msg = #msg> { #(#defs)* }
        },
    };
    let froms = from_impls(msg, variants);
    quote! {
        #[doc = #trait_doc]
        #[allow(private_interfaces, private_bounds, unreachable_pub)]
        #vis trait #client { #(#decls)* }
        #implementation
        #froms
    }
}

/// `From<Arg>` for each variant told with one argument, unless two such variants take the
/// same type (then neither gets one: which would `Recipient<Arg>` mean?).
fn from_impls(msg: &Ident, variants: &[Variant]) -> TokenStream {
    let single =
        |v: &&Variant| v.args().count() == 1 && matches!(v.kind, Kind::Tell | Kind::ResultAsk(_));
    let key = |v: &Variant| v.args().next().map(|(_, ty)| quote!(#ty).to_string());
    let mut count: HashMap<String, usize> = HashMap::new();
    for v in variants.iter().filter(single) {
        *count.entry(key(v).unwrap_or_default()).or_default() += 1;
    }
    let impls = variants.iter().filter(single).filter_map(|v| {
        let (arg, ty) = v.args().next()?;
        if count.get(&key(v).unwrap_or_default()) != Some(&1) {
            return None;
        }
        let built = v.build(msg, &quote!(::core::option::Option::None));
        Some(quote_spanned! {ty.span()=>
            impl ::core::convert::From<#ty> for #msg {
                fn from(#arg: #ty) -> Self {
                    #built
                }
            }
        })
    });
    quote!(#(#impls)*)
}
