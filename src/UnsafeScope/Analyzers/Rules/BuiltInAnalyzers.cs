using System.Collections.Immutable;
using UnsafeScope.Analyzers.Rules.Configuration;
using UnsafeScope.Analyzers.Rules.DriverSafety;
using UnsafeScope.Analyzers.Rules.Hygiene;
using UnsafeScope.Analyzers.Rules.Suppression;
using UnsafeScope.Catalogs;

namespace UnsafeScope.Analyzers;

/// <summary>The analyzers that ship with UnsafeScope.</summary>
public static class BuiltInAnalyzers
{
    /// <summary>The driver configuration rules (US3001–US3010), also what the readiness page evaluates.</summary>
    internal static ImmutableArray<ConfigurationRule> ConfigurationRules() =>
    [
        new AbortOnPanicInKernelDriversAnalyzer(),
        new LinkTheCrtStaticallyAnalyzer(),
        new DeclareNoStdInKernelDriversAnalyzer(),
        new ProvideKernelAllocatorAndPanicHandlerAnalyzer(),
        new BuildDriversAsCdylibAnalyzer(),
        new ConfigureTheBuildWithWdkBuildAnalyzer(),
        new PinTheToolchainAnalyzer(),
        new CommitTheLockFileAnalyzer(),
        new DeclareTheDriverModelAnalyzer(),
        new EnforceUnsafeHygieneLintsAnalyzer(),
    ];

    /// <summary>All built-in analyzers, using <paramref name="catalog"/> where a rule reads the API catalog.</summary>
    public static ImmutableArray<RustAnalyzer> Create(ApiCatalog? catalog = null) =>
    [
        new DocumentUnsafeBlocksAnalyzer(),
        new SplitUnsafeBlocksAnalyzer(),
        new DocumentUnsafeFunctionSafetyAnalyzer(),
        new RemoveNeedlessSafetyDocAnalyzer(),
        new RemoveNeedlessSafetyCommentAnalyzer(),
        new MarkPointerDerefFunctionsUnsafeAnalyzer(),
        new WrapUnsafeOpsInUnsafeFunctionsAnalyzer(),
        new DoNotReturnMutFromRefAnalyzer(),
        new KeepUnsafeInImportNamesAnalyzer(),
        new JustifyHighRiskWdkCallsAnalyzer(),
        new ReleaseWhatYouAcquireAnalyzer(catalog ?? ApiCatalog.Default),
        new AvoidStaticMutAnalyzer(),
        new JustifyUnsafeSendSyncAnalyzer(),
        new WrapUnsafeInCallbacksAnalyzer(),
        new EncapsulateMmioAnalyzer(),
        new AvoidTransmuteToFunctionPointerAnalyzer(),
        new DocumentUnsafeInMacrosAnalyzer(),
        new DoNotExposeRawPointersAnalyzer(),
        new JustifyUnsafeAttributesAnalyzer(),
        new JustifyUnsafeExternBlocksAnalyzer(),
        new JustifySafeForeignItemsAnalyzer(),
        new GuardFieldsUnsafeCodeTrustsAnalyzer(),
        .. ConfigurationRules(),
        new SuppressionRulesAnalyzer(),
        .. QueryPacks.QueryPack.BuiltIn,
    ];
}
