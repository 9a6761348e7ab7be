namespace UnsafeScope.Tests.Hardening;

/// <summary>A test of Unix file shapes (FIFOs, links to devices): skipped, visibly, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "FIFOs and links to /dev/zero are the Linux shapes of the problem; this OS has no FIFOs in folders.";
    }
}
