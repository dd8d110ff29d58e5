namespace BotSystem.AppHost.Resources;

/// <summary>Writes resources' output line by line, each prefixed with its resource's name in its colour.</summary>
public static class ConsoleLog
{
    private static readonly Lock Gate = new();

    public static void Write(string resource, ConsoleColor color, string line)
    {
        lock (Gate)
        {
            Console.ForegroundColor = color;
            Console.Write($"{resource,-16}| ");
            Console.ResetColor();
            Console.WriteLine(line);
        }
    }
}
