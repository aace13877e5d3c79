//! Numeric operators (spec 4.3 "Numerics"): one pure function per operator, each documenting the trap it can raise.
