Console.WriteLine("mcg");
