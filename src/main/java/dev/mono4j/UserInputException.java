package dev.mono4j;

/**
 * Bad input from the user (a file, a flag, a config): the CLI prints the message as one line and exits
 * with code 2. The message must name the file, line or tensor and say what is wrong.
 */
public class UserInputException extends RuntimeException {
    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
