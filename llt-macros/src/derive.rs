//! `#[derive(Loggable)]`: implements `LogValue` field by field.
//!
//! For `struct Order<'a, T> { id: &'a str, qty: T }` the output is, in
//! outline:
//!
//! ```text
//! unsafe impl<'a, T: LogValue> LogValue for Order<'a, T> {
//!     type Decoded<'r> = Order<'r, T::Decoded<'r>>;       // the same type, rebuilt
//!     fn encoded_len(&self) -> usize { 0 + id.encoded_len() + qty.encoded_len() }
//!     unsafe fn encode(&self, dst) -> *mut u8 { let dst = id.encode(dst); qty.encode(dst) }
//!     unsafe fn decode<'r>(payload) -> Order<'r, T::Decoded<'r>> {
//!         Order { id: <&'a str>::decode(payload), qty: T::decode(payload) }
//!     }
//! }
//! ```
//!
//! An enum writes its variant's index first (one byte up to 256 variants,
//! two beyond). Each field's calls are spanned on the field's type, so a
//! field whose type is not loggable is reported there.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericParam, Ident, Type};

/// Expands `#[derive(Loggable)]`; an error becomes `compile_error!`.
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    generate(input).unwrap_or_else(|e| e.to_compile_error())
}

/// One variant (or the struct itself) with its fields.
struct Shape<'a> {
    /// `Name` for a struct, `Name::Variant` for an enum's variant.
    path: TokenStream,
    fields: &'a Fields,
}

impl Shape<'_> {
    /// `__llt_f0`, `__llt_f1`, ... for the fields, in order.
    fn bindings(&self) -> Vec<Ident> {
        (0..self.fields.len())
            .map(|i| format_ident!("__llt_f{}", i))
            .collect()
    }

    /// The pattern binding every field: `Path { a: __llt_f0, .. }`.
    fn pattern(&self) -> TokenStream {
        let path = &self.path;
        let bindings = self.bindings();
        match self.fields {
            Fields::Named(named) => {
                let names = named.named.iter().map(|f| &f.ident);
                quote!(#path { #(#names: #bindings),* })
            }
            Fields::Unnamed(_) => quote!(#path(#(#bindings),*)),
            Fields::Unit => quote!(#path),
        }
    }

    fn types(&self) -> impl Iterator<Item = &Type> {
        self.fields.iter().map(|f| &f.ty)
    }

    /// Sum of the fields' encoded lengths, from the bindings.
    fn encoded_len(&self) -> TokenStream {
        let terms = self.types().zip(self.bindings()).map(|(ty, binding)| {
            let codec = codec(ty);
            quote_spanned!(ty.span()=> .saturating_add(#codec::encoded_len(#binding)))
        });
        quote!(0usize #(#terms)*)
    }

    /// Encodes the fields from `__llt_dst` on; evaluates to the end.
    fn encode(&self) -> TokenStream {
        let steps = self.types().zip(self.bindings()).map(|(ty, binding)| {
            let codec = codec(ty);
            quote_spanned!(ty.span()=> let __llt_dst = #codec::encode(#binding, __llt_dst);)
        });
        quote!(#(#steps)* __llt_dst)
    }

    /// Rebuilds the value from `__llt_payload`, fields in order.
    fn decode(&self) -> TokenStream {
        let path = &self.path;
        let values = self.types().map(|ty| {
            let codec = codec(ty);
            quote_spanned!(ty.span()=> #codec::decode(__llt_payload))
        });
        match self.fields {
            Fields::Named(named) => {
                let names = named.named.iter().map(|f| &f.ident);
                quote!(#path { #(#names: #values),* })
            }
            Fields::Unnamed(_) => quote!(#path(#(#values),*)),
            Fields::Unit => quote!(#path),
        }
    }
}

/// How a field of type `ty` is encoded: by its `LogValue` impl, or, for a
/// type that names `'static` (`&'static str`), copied as it is
/// (`StaticCopy`, which needs `Copy + Send + 'static`): the rebuilt value
/// must have that type, and a `'static` borrow cannot come from the record.
///
/// The type's tokens all get one span, so that the three uses of a field
/// whose type is not loggable report one error, not several.
fn codec(ty: &Type) -> TokenStream {
    let span = ty.span();
    let tokens = respan(ty.to_token_stream(), span);
    if names_static(ty.to_token_stream()) {
        quote_spanned!(span=> ::llt_rs::__private::StaticCopy::<#tokens>)
    } else {
        quote_spanned!(span=> <#tokens as ::llt_rs::__private::LogValue>)
    }
}

/// `tokens` with every token at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// A field `&'a T` other than `&'a str` cannot be rebuilt as itself: the
/// writer has the pointee's bytes in the record, not a `T` to borrow.
fn reject_borrowed_field(field: &syn::Field) -> syn::Result<()> {
    let Type::Reference(reference) = &field.ty else {
        return Ok(());
    };
    let is_str = matches!(&*reference.elem, Type::Path(path) if path.path.is_ident("str"));
    if is_str || names_static(field.ty.to_token_stream()) {
        return Ok(());
    }
    let name = field.ident.as_ref().map_or_else(
        || "this field".to_owned(),
        |ident| format!("field `{ident}`"),
    );
    let pointee = reference
        .elem
        .to_token_stream()
        .to_string()
        .replace(' ', "");
    Err(syn::Error::new_spanned(
        &field.ty,
        format!(
            "{name} cannot be logged by `#[derive(Loggable)]`: the writer rebuilds the value \
             from the record and has no `{pointee}` to borrow; store an owned value (a `Vec<T>` \
             or `Box<[T]>` for a slice), make it `&'static`, or log it as its own `llt_log!` \
             argument"
        ),
    ))
}

/// The rebuilt value is `Name<T::Decoded>`: a trait bound on the type's own
/// parameters (`struct W<T: Copy>`, or in its `where` clause) would have to
/// hold for `T::Decoded` too, which the derive cannot promise.
fn reject_trait_bounds(generics: &syn::Generics) -> syn::Result<()> {
    let bounded = generics.type_params().find(|param| {
        param
            .bounds
            .iter()
            .any(|bound| matches!(bound, syn::TypeParamBound::Trait(_)))
    });
    let message = "`#[derive(Loggable)]` does not support trait bounds on the type's own \
                   parameters: the writer rebuilds the value with each `T` replaced by \
                   `T::Decoded`, which need not satisfy them; put the bounds on the impls that \
                   need them instead (as std does), or log the fields";
    if let Some(param) = bounded {
        return Err(syn::Error::new_spanned(&param.bounds, message));
    }
    if let Some(where_clause) = &generics.where_clause
        && where_clause.predicates.iter().any(|predicate| {
            matches!(predicate, syn::WherePredicate::Type(ty)
                if ty.bounds.iter().any(|bound| matches!(bound, syn::TypeParamBound::Trait(_))))
        })
    {
        return Err(syn::Error::new_spanned(where_clause, message));
    }
    Ok(())
}

/// Whether the tokens contain the lifetime `'static`.
fn names_static(tokens: TokenStream) -> bool {
    let mut quote_seen = false;
    for token in tokens {
        match token {
            TokenTree::Punct(punct) if punct.as_char() == '\'' => {
                quote_seen = true;
                continue;
            }
            TokenTree::Ident(ident) if quote_seen && ident == "static" => return true,
            TokenTree::Group(group) if names_static(group.stream()) => return true,
            _ => {}
        }
        quote_seen = false;
    }
    false
}

fn generate(mut input: DeriveInput) -> syn::Result<TokenStream> {
    let decoded_args = decoded_args(&input.generics);
    let name = &input.ident;
    let shapes: Vec<Shape<'_>> = match &input.data {
        Data::Struct(data) => vec![Shape {
            path: quote!(#name),
            fields: &data.fields,
        }],
        Data::Enum(data) => data
            .variants
            .iter()
            .map(|variant| {
                let variant_name = &variant.ident;
                Shape {
                    path: quote!(#name::#variant_name),
                    fields: &variant.fields,
                }
            })
            .collect(),
        Data::Union(data) => {
            return Err(syn::Error::new(
                data.union_token.span,
                "`#[derive(Loggable)]` cannot tell which field of a union is set: log the field itself, or convert the union to a struct or enum first",
            ));
        }
    };

    for shape in &shapes {
        for field in shape.fields {
            reject_borrowed_field(field)?;
        }
    }
    reject_trait_bounds(&input.generics)?;

    for param in input.generics.type_params_mut() {
        param
            .bounds
            .push(syn::parse_quote!(::llt_rs::__private::LogValue));
    }
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let decoded = if decoded_args.is_empty() {
        quote!(#name)
    } else {
        quote!(#name<#(#decoded_args),*>)
    };

    let (encoded_len, encode, decode) = match &input.data {
        Data::Enum(_) => enum_bodies(name, &shapes),
        _ => {
            let shape = &shapes[0];
            let pattern = shape.pattern();
            let (len, encode, decode) = (shape.encoded_len(), shape.encode(), shape.decode());
            (
                quote!(let #pattern = self; #len),
                quote!(let #pattern = self; #encode),
                decode,
            )
        }
    };

    Ok(quote! {
        // SAFETY: each field is written by its own `LogValue::encode`, in
        // declaration order, and read back by its `decode` in that order.
        #[automatically_derived]
        #[allow(unsafe_code, unused_unsafe, unused_variables, clippy::undocumented_unsafe_blocks)]
        unsafe impl #impl_generics ::llt_rs::__private::LogValue for #name #ty_generics #where_clause {
            type Decoded<'__llt_r> = #decoded;

            #[inline]
            fn encoded_len(&self) -> usize {
                #encoded_len
            }

            #[inline]
            unsafe fn encode(&self, __llt_dst: *mut u8) -> *mut u8 {
                unsafe { #encode }
            }

            #[inline]
            unsafe fn decode<'__llt_r>(
                __llt_payload: &mut ::llt_rs::__private::Payload<'__llt_r>,
            ) -> Self::Decoded<'__llt_r> {
                unsafe { #decode }
            }
        }
    })
}

/// The decoded type's generic arguments: `'r` for every lifetime,
/// `T::Decoded<'r>` for every type parameter, const parameters as they are.
fn decoded_args(generics: &syn::Generics) -> Vec<TokenStream> {
    generics
        .params
        .iter()
        .map(|param| match param {
            GenericParam::Lifetime(_) => quote!('__llt_r),
            GenericParam::Type(ty) => {
                let ident = &ty.ident;
                quote!(<#ident as ::llt_rs::__private::LogValue>::Decoded<'__llt_r>)
            }
            GenericParam::Const(constant) => {
                let ident = &constant.ident;
                quote!(#ident)
            }
        })
        .collect()
}

/// Bodies of `encoded_len`, `encode` and `decode` for an enum: the
/// variant's index (a `u8`, or a `u16` past 256 variants), then its fields.
fn enum_bodies(name: &Ident, shapes: &[Shape<'_>]) -> (TokenStream, TokenStream, TokenStream) {
    if shapes.is_empty() {
        let never = quote!(match *self {});
        let decode = quote!(::llt_rs::__private::invalid_variant(
            ::llt_rs::__private::stringify!(#name),
            0
        ));
        return (never.clone(), never, decode);
    }
    let tag_type = if shapes.len() <= 256 {
        quote!(u8)
    } else {
        quote!(u16)
    };
    let span = Span::call_site();
    let mut len_arms = Vec::new();
    let mut encode_arms = Vec::new();
    let mut decode_arms = Vec::new();
    for (index, shape) in shapes.iter().enumerate() {
        let pattern = shape.pattern();
        let tag = proc_macro2::Literal::usize_unsuffixed(index);
        let (len, encode, decode) = (shape.encoded_len(), shape.encode(), shape.decode());
        len_arms.push(quote_spanned!(span=> #pattern => ::llt_rs::__private::size_of::<#tag_type>().saturating_add(#len),));
        encode_arms.push(quote_spanned!(span=> #pattern => {
            let __llt_dst = <#tag_type as ::llt_rs::__private::LogValue>::encode(&#tag, __llt_dst);
            #encode
        }));
        decode_arms.push(quote_spanned!(span=> #tag => #decode,));
    }
    (
        quote!(match self { #(#len_arms)* }),
        quote!(match self { #(#encode_arms)* }),
        quote! {
            match <#tag_type as ::llt_rs::__private::LogValue>::decode(__llt_payload) {
                #(#decode_arms)*
                __llt_tag => ::llt_rs::__private::invalid_variant(
                    ::llt_rs::__private::stringify!(#name),
                    __llt_tag as u32,
                ),
            }
        },
    )
}
