using UnsafeScope.Cli;

return await Cli.RunAsync(args);
