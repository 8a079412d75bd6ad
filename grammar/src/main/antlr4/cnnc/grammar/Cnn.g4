/*
 * The .cnn language (docs/language.md §2). A file holds one or more networks; a network declares its
 * inputs and target, defines tensors as operations over tensors defined above them (so every graph
 * is acyclic by construction), names its loss and, optionally, how to train it.
 *
 * The words of the language (network, input, target, loss, train, optimizer) are soft keywords:
 * they may also name tensors, so that no model breaks when the language grows.
 */
grammar Cnn;


file        : network+ EOF ;

network     : NETWORK name '{' statement* '}' ;

statement   : INPUT name ':' shape ';'                          # inputDecl
            | TARGET name ':' shape ';'                         # targetDecl
            | name '=' name '(' arguments? ')' ';'              # nodeDecl
            | LOSS name '(' arguments? ')' ';'                  # lossDecl
            | TRAIN '{' setting* '}'                            # trainBlock
            ;

shape       : DIMS | INT ;

arguments   : argument (',' argument)* ;

argument    : (name ':')? value ;

value       : name                                              # nameValue
            | '-'? INT                                          # intValue
            | '-'? FLOAT                                        # floatValue
            | DIMS                                              # dimsValue
            | (TRUE | FALSE)                                    # boolValue
            | '(' '-'? INT ',' '-'? INT ')'                     # pairValue
            ;

setting     : OPTIMIZER name '(' arguments? ')' ';'             # optimizerSetting
            | name value ';'                                    # plainSetting
            | name '{' (arguments ';')* '}'                     # blockSetting
            ;

name        : NAME | NETWORK | INPUT | TARGET | LOSS | TRAIN | OPTIMIZER ;

NETWORK     : 'network' ;
INPUT       : 'input' ;
TARGET      : 'target' ;
LOSS        : 'loss' ;
TRAIN       : 'train' ;
OPTIMIZER   : 'optimizer' ;
TRUE        : 'true' ;
FALSE       : 'false' ;

DIMS        : [0-9]+ ('x' [0-9]+)+ ;            // 5x5, 1x28x28 (no spaces)
FLOAT       : [0-9]+ '.' [0-9]* EXPONENT?
            | '.' [0-9]+ EXPONENT?
            | [0-9]+ EXPONENT
            ;
INT         : [0-9]+ ;
NAME        : [a-zA-Z_] [a-zA-Z_0-9]* ;        // `x` alone is a NAME

fragment EXPONENT : [eE] [+-]? [0-9]+ ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n\f]+ -> skip ;
