using UnsafeScope.Cli;

// UTF-8 (no BOM) on every OS: redirected output on Windows would otherwise use the OEM code page, and non-ASCII file
// names would reach a log or a pipe as '?'.
Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
return await Cli.RunAsync(args);
