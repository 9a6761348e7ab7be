; UnsafeScope query pack: WDK call patterns that need no type information.
; Each rule: '; key: value' header lines, then tree-sitter query patterns (tree-sitter-rust 0.24).
; The capture @match is reported; {name} in the message is the text of capture @name.

; rule: US7001 ReplaceDeprecatedPoolAllocation
; title: Deprecated pool allocation API
; severity: warning
; precision: very-high
; message: `{name}` is deprecated: allocate with ExAllocatePool2 (or ExAllocatePool3)
; what: Checks for calls of the pool allocation functions the WDK deprecated (ExAllocatePool, ExAllocatePoolWithTag, ExAllocatePoolWithQuota, ExAllocatePoolWithQuotaTag, ExAllocatePoolWithTagPriority), whether imported or called by path. CodeQL's WHCP suite has the same check for C drivers (cpp/drivers/wdk-deprecated-api).
; why: The old functions return uninitialized memory and take the older POOL_TYPE; ExAllocatePool2 zeroes by default and takes POOL_FLAGS. wdk-sys no longer generates bindings for them, so their use also marks hand-written or outdated bindings.
; example: let p = unsafe { ExAllocatePoolWithTag(NonPagedPoolNx, 64, TAG) };
; instead: let p = unsafe { ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG) };
; cwe: 908
; security-severity: 4.0
; tags: wdk
((call_expression
   function: [(identifier) @name
              (scoped_identifier name: (identifier) @name)]) @match
 (#match? @name "^ExAllocatePool(WithTag|WithQuota|WithQuotaTag|WithTagPriority)?$"))

; rule: US7002 UseLiteralDbgPrintFormat
; title: DbgPrint with a non-literal format string
; severity: warning
; precision: high
; message: the format string of `{name}` is `{format}`, not a literal
; what: Checks for DbgPrint and KdPrint calls whose first argument (the printf-style format) is a variable or expression rather than a string literal.
; why: A format string that comes from data can hold %s or %n directives: the kernel then reads (or writes) through arguments that were never passed, which crashes the system or leaks memory. Print data with a literal format such as "%s".
; example: unsafe { DbgPrint(message.as_ptr()) };
; instead: unsafe { DbgPrint(c"%s\n".as_ptr(), message.as_ptr()) };
; cwe: 134
; security-severity: 6.5
; tags: wdk
((call_expression
   function: [(identifier) @name
              (scoped_identifier name: (identifier) @name)]
   arguments: (arguments . (_) @format)) @match
 (#any-of? @name "DbgPrint" "KdPrint")
 (#not-match? @format "^(c|b)?r?#*\""))
