using System.Diagnostics.Tracing;

// No namespace: the runtime looks for a type named StartupHook.
/// <summary>
/// A startup hook (<c>DOTNET_STARTUP_HOOKS</c>) for <see cref="UnsafeScope.Tests.Hardening.NoDynamicCodeTests"/>: it must
/// be named StartupHook and have no namespace. It uses only the base library, so loading this test assembly into the
/// command's process pulls in nothing else. It writes the number of methods compiled, then one line per dynamic method.
/// </summary>
internal static class StartupHook
{
    public const string ReportVariable = "UNSAFESCOPE_TEST_DYNAMIC_METHOD_REPORT";
    private static JitListener? s_listener;

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is not { Length: > 0 } report) return;
        s_listener = new JitListener();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Thread.Sleep(1000); // runtime events reach an in-process listener from a dispatch thread, slightly late
            lock (s_listener.Dynamic)
                File.WriteAllLines(report, [s_listener.Jitted.ToString(System.Globalization.CultureInfo.InvariantCulture), .. s_listener.Dynamic]);
        };
    }

    private sealed class JitListener : EventListener
    {
        public readonly List<string> Dynamic = [];
        public int Jitted;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword: MethodLoadVerbose
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) != true || e.PayloadNames is null || e.Payload is null) return;
            Interlocked.Increment(ref Jitted);
            var flags = Convert.ToUInt32(e.Payload[e.PayloadNames.IndexOf("MethodFlags")], System.Globalization.CultureInfo.InvariantCulture);
            if ((flags & 1) == 0) return; // 1: a dynamic method
            lock (Dynamic)
                Dynamic.Add($"{e.Payload[e.PayloadNames.IndexOf("MethodNamespace")]}::{e.Payload[e.PayloadNames.IndexOf("MethodName")]}");
        }
    }
}
